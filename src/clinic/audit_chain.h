// The audit trail's hash chain: each entry's hash covers its own fields and the previous entry's
// hash, so an edited, inserted or deleted entry is detected by recomputing the chain.
#pragma once
#include <string>
#include <vector>

#include "clinic/records.h"

namespace scarscope::clinic {

// The previous_hash of a chain's first entry.
const std::string& audit_chain_start();

// Hex SHA-256 over every field of `entry` except `hash` (length-prefixed, so no two different
// entries share an input), previous_hash included.
std::string audit_entry_hash(const AuditEntry& entry);

struct AuditChainProblem {
  std::string clinic_id;
  std::int64_t sequence = 0;  // the entry where the chain breaks
  std::string what;           // "hash does not match its fields", "entry 7 is missing", ...
};

// Checks a chain one entry at a time, in sequence order (a long chain need not fit in memory).
class AuditChainVerifier {
 public:
  explicit AuditChainVerifier(std::string clinic_id) : clinic_id_(std::move(clinic_id)) {}
  void add(const AuditEntry& entry);
  // The chain's head as the record states it; returns every problem found.
  std::vector<AuditChainProblem> finish(std::int64_t head_sequence, const std::string& head_hash);
  std::int64_t entries() const { return expected_ - 1; }

 private:
  std::string clinic_id_;
  std::string previous_ = audit_chain_start();
  std::int64_t expected_ = 1;
  std::vector<AuditChainProblem> problems_;
};

// Checks the chain of `clinic_id` (empty: the record-wide chain), given in sequence order: sequences 1..n without gaps, each previous_hash equal
// to the hash before it, each hash equal to audit_entry_hash. `head_sequence` and `head_hash` are
// what the record says the chain's last entry is (a deleted last entry shows there).
std::vector<AuditChainProblem> check_audit_chain(const std::string& clinic_id, const std::vector<AuditEntry>& entries,
                                                 std::int64_t head_sequence, const std::string& head_hash);

}  // namespace scarscope::clinic
