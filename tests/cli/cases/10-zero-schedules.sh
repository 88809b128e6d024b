# Item 10: --schedules 0 under random or pct ran nothing and said "all held".
expect 2 "--schedules 0 means" explore --strategy random --schedules 0
expect 2 "--schedules 0 means" explore --strategy pct --schedules 0
check "one line" one_line_error
