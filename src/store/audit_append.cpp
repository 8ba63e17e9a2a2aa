#include "clinic/audit_chain.h"
#include "clinic/ids.h"
#include "clinic/validation.h"
#include "clinic/vocabulary.h"
#include "store/detail/shared_writes.h"

namespace scarscope::store::detail {

std::vector<clinic::AuditEntry> append_audit_entries(TransactionContext& context, const std::string& clinic_id,
                                                     std::span<const AuditEvent> events) {
  std::vector<clinic::AuditEntry> entries;
  if (events.empty()) return entries;
  for (const AuditEvent& event : events) {
    clinic::check_text(event.object_kind, "object_kind", 64);
    clinic::check_text(event.detail, "detail", 1000);
    clinic::check_text(event.user_id, "user_id", 64);
    clinic::check_text(event.object_id, "object_id", 64);
    clinic::check_text(event.patient_id, "patient_id", 64);
  }
  // Creates the head on first use and locks it (ON CONFLICT DO UPDATE takes the row lock and, on
  // PostgreSQL, returns the latest committed head even under concurrency).
  const SqlRows head = context.query(
      "INSERT INTO audit_chains (chain, clinic_id, last_sequence, last_hash) VALUES ($1, $2, 0, $3) "
      "ON CONFLICT (chain) DO UPDATE SET chain = excluded.chain RETURNING last_sequence, last_hash",
      clinic_id, nullable(clinic_id), clinic::audit_chain_start());
  std::int64_t sequence = head.integer(0, 0);
  std::string previous = head.text(0, 1);
  const clinic::Timestamp now = context.now();
  entries.reserve(events.size());
  for (const AuditEvent& event : events) {
    clinic::AuditEntry entry;
    entry.id = clinic::new_record_id();
    entry.clinic_id = clinic_id;
    entry.sequence = ++sequence;
    entry.at = now;
    entry.user_id = event.user_id;
    entry.action = event.action;
    entry.object_kind = event.object_kind;
    entry.object_id = event.object_id;
    entry.patient_id = event.patient_id;
    entry.detail = event.detail;
    entry.previous_hash = previous;
    entry.hash = clinic::audit_entry_hash(entry);
    previous = entry.hash;
    context.execute_later(
        "INSERT INTO audit_entries (id, chain, clinic_id, sequence, at, user_id, action, object_kind, object_id, "
        "patient_id, detail, previous_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        entry.id, clinic_id, nullable(clinic_id), entry.sequence, entry.at, entry.user_id,
        std::string(clinic::name(entry.action)), entry.object_kind, entry.object_id, entry.patient_id, entry.detail,
        entry.previous_hash, entry.hash);
    entries.push_back(std::move(entry));
  }
  context.execute_later("UPDATE audit_chains SET last_sequence = $2, last_hash = $3 WHERE chain = $1", clinic_id, sequence,
                  previous);
  return entries;
}

}  // namespace scarscope::store::detail
