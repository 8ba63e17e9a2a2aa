#include "clinic/audit_chain.h"

#include "clinic/ids.h"
#include "clinic/vocabulary.h"

namespace scarscope::clinic {
namespace {

// Each field as its length, a colon and its bytes: unambiguous whatever the fields hold.
void append_field(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
}

}  // namespace

const std::string& audit_chain_start() {
  static const std::string zeros(64, '0');
  return zeros;
}

std::string audit_entry_hash(const AuditEntry& entry) {
  std::string input = "scarscope-audit-v1;";
  append_field(input, entry.id);
  append_field(input, entry.clinic_id);
  append_field(input, std::to_string(entry.sequence));
  append_field(input, std::to_string(to_unix_microseconds(entry.at)));
  append_field(input, entry.user_id);
  append_field(input, name(entry.action));
  append_field(input, entry.object_kind);
  append_field(input, entry.object_id);
  append_field(input, entry.patient_id);
  append_field(input, entry.detail);
  append_field(input, entry.previous_hash);
  return sha256_hex(input);
}

void AuditChainVerifier::add(const AuditEntry& entry) {
  if (entry.sequence != expected_) {
    problems_.push_back({clinic_id_, expected_,
                         "entry " + std::to_string(expected_) + " is missing (the next is " +
                             std::to_string(entry.sequence) + ")"});
    expected_ = entry.sequence;
  }
  if (entry.previous_hash != previous_) {
    problems_.push_back({clinic_id_, entry.sequence, "its previous hash does not match the entry before it"});
  }
  if (audit_entry_hash(entry) != entry.hash) {
    problems_.push_back({clinic_id_, entry.sequence, "its hash does not match its fields (the entry was edited)"});
  }
  previous_ = entry.hash;
  ++expected_;
}

std::vector<AuditChainProblem> AuditChainVerifier::finish(std::int64_t head_sequence, const std::string& head_hash) {
  const std::int64_t last = expected_ - 1;
  if (head_sequence != last) {
    problems_.push_back({clinic_id_, head_sequence,
                         "the chain's head says " + std::to_string(head_sequence) + " entries, " + std::to_string(last) +
                             " are present (entries at its end were deleted)"});
  } else if (head_hash != previous_) {
    problems_.push_back({clinic_id_, last, "the chain's head hash does not match its last entry"});
  }
  return problems_;
}

std::vector<AuditChainProblem> check_audit_chain(const std::string& clinic_id, const std::vector<AuditEntry>& entries,
                                                 std::int64_t head_sequence, const std::string& head_hash) {
  AuditChainVerifier verifier(clinic_id);
  for (const AuditEntry& entry : entries) verifier.add(entry);
  return verifier.finish(head_sequence, head_hash);
}

}  // namespace scarscope::clinic
