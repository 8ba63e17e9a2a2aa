#include <sodium.h>

#include <array>
#include <chrono>

#include "clinic/audit_chain.h"
#include "clinic/ids.h"
#include "clinic/validation.h"
#include "clinic/vocabulary.h"
#include "store/detail/shared_writes.h"

namespace scarscope::store::detail {

// The base64url characters in ASCII order, so that text order is number order.
constexpr std::string_view ordered_base64 = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

std::string time_ordered_record_id(clinic::Timestamp at) {
  // 8 characters of milliseconds since 1970 (48 bits: good until the year 10889), then 14 random
  // characters (84 bits). A record id like any other (22 base64url characters, opaque and
  // unguessable), but ids made later sort after earlier ones: audit entries are inserted at the
  // right edge of the primary key's index instead of on a random page each.
  const auto milliseconds = std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
  std::uint64_t time = static_cast<std::uint64_t>(std::max<std::int64_t>(milliseconds, 0)) & ((std::uint64_t{1} << 48) - 1);
  std::string id(22, '-');
  for (int i = 7; i >= 0; --i) {
    id[static_cast<std::size_t>(i)] = ordered_base64[time & 63];
    time >>= 6;
  }
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not initialise (no random source?)");
  std::array<unsigned char, 14> random{};
  randombytes_buf(random.data(), random.size());
  for (std::size_t i = 0; i < random.size(); ++i) id[8 + i] = ordered_base64[random[i] & 63];
  return id;
}

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
    entry.id = time_ordered_record_id(now);
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
