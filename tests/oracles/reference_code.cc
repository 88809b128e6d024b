#include "tests/oracles/reference_code.h"

namespace lockstep::oracles::reference {

const char* point_name(In k) {
  switch (k) {
    case In::kLock:
      return "lock";
    case In::kUnlock:
      return "unlock";
    case In::kRwArrive:
      return "rw-arrive";
    case In::kRwEnter:
      return "rw-enter";
    case In::kRwRelease:
      return "rw-release";
    case In::kLabel:
      return "label";
    case In::kSend:
      return "send";
    case In::kRecv:
      return "recv";
    case In::kNotify:
      return "notify";
    case In::kWait:
      return "wait";
    case In::kWake:
      return "wake";
    case In::kSpawn:
      return "spawn";
    case In::kJoin:
      return "join";
    case In::kExit:
      return "exit";
    default:
      return "?";
  }
}

std::vector<Instr> compile(const Program& p, std::size_t k) {
  std::vector<Instr> code;
  auto emit = [&code](In kind, std::size_t a = 0) {
    code.push_back({kind, static_cast<std::uint16_t>(a)});
  };
  const auto& ops = p.tasks[k];
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const Op& op = ops[i];
    auto label = [&] {
      if (op.label) emit(In::kLabel, label_code(k, i));
    };
    switch (op.kind) {
      case OpKind::kSection:
        emit(In::kLock, op.arg);
        emit(In::kUpdate, op.arg);
        label();
        emit(In::kUnlock, op.arg);
        break;
      case OpKind::kNested:
        emit(In::kLock, 0);
        emit(In::kLock, 1);
        emit(In::kUpdate, 0);
        emit(In::kUpdate, 1);
        label();
        emit(In::kUnlock, 1);
        emit(In::kUnlock, 0);
        break;
      case OpKind::kRead:
      case OpKind::kWrite: {
        const std::size_t writer = op.kind == OpKind::kWrite ? 1 : 0;
        emit(In::kRwArrive, writer);
        emit(In::kRwEnter, writer);
        if (writer) {
          emit(In::kUpdate, 2);
        } else {
          emit(In::kObserveRw);
        }
        label();
        emit(In::kRwRelease, writer);
        break;
      }
      case OpKind::kLabel:
        emit(In::kLabel, label_code(k, i));
        break;
      case OpKind::kSend:
        emit(In::kSend, static_cast<std::size_t>(sent_value(k, i)));
        label();
        break;
      case OpKind::kRecv:
        emit(In::kRecv);
        label();
        break;
      case OpKind::kPost:
        emit(In::kLock, 2);
        emit(In::kAddToken);
        emit(In::kNotify);
        label();
        emit(In::kUnlock, 2);
        break;
      case OpKind::kAwait: {
        emit(In::kLock, 2);
        const std::size_t check = code.size();
        emit(In::kIfTokens, check + 5);
        emit(In::kWait);
        emit(In::kWake);
        emit(In::kLock, 2);
        emit(In::kJump, check);
        emit(In::kTakeToken);  // at check + 5
        label();
        emit(In::kUnlock, 2);
        break;
      }
      case OpKind::kSpawn:
        emit(In::kSpawn, op.arg);
        label();
        break;
      case OpKind::kJoin:
        emit(In::kJoin, op.arg);
        label();
        break;
    }
  }
  emit(In::kExit);
  return code;
}

}  // namespace lockstep::oracles::reference
