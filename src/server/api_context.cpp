#include "server/api_context.h"

#include "clinic/ids.h"

namespace scarscope::server {

void ApiContext::audit_read(const Call& call, std::string object_kind, std::string object_id, std::string patient_id,
                            std::string detail) const {
  audit.record(call.user().clinic_id, store::AuditEvent{call.user_id(), clinic::AuditAction::read,
                                                        std::move(object_kind), std::move(object_id),
                                                        std::move(patient_id), std::move(detail)});
}

store::AuditEvent ApiContext::change(const Call& call, clinic::AuditAction action, std::string object_kind,
                                     std::string object_id, std::string patient_id, std::string detail) {
  return store::AuditEvent{call.user_id(), action, std::move(object_kind), std::move(object_id),
                           std::move(patient_id), std::move(detail)};
}

std::optional<Principal> ApiContext::authenticate(const std::string& token, bool by_cookie) const {
  const std::string hash = clinic::session_token_hash(token);
  auto active = store.read_system([&](const store::SystemReader& tx) { return tx.active_session(hash); });
  if (!active) return std::nullopt;
  Principal principal;
  principal.user_id = active->user.id;
  principal.clinic_id = active->user.clinic_id;
  principal.email = active->user.email;
  principal.display_name = active->user.display_name;
  principal.role = active->user.role;
  principal.token_hash = hash;
  principal.by_cookie = by_cookie;
  principal.expires_at = active->session.expires_at;
  return principal;
}

}  // namespace scarscope::server
