#include <sodium.h>

#include <chrono>
#include <span>
#include <stdexcept>
#include <vector>

#include "clinic/audit_chain.h"
#include "clinic/ids.h"
#include "clinic/validation.h"
#include "clinic/vocabulary.h"
#include "store/detail/shared_writes.h"

namespace scarscope::store::detail {

// The base64url characters in ASCII order, so that text order is number order.
constexpr std::string_view ordered_base64 = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

namespace {

// A record id (22 base64url characters, 84 of its bits random) that begins with `at` in
// milliseconds, in characters whose text order is their number order: ids made later sort after
// earlier ones, so the rows an index keys by them are appended at its end. `random` holds its 14
// random bytes (one call of the random source serves a whole batch).
std::string time_ordered_record_id(clinic::Timestamp at, std::span<const unsigned char, 14> random) {
  // 8 characters of milliseconds (48 bits: good until the year 10889), then 14 random characters.
  const auto milliseconds = std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
  std::uint64_t time = static_cast<std::uint64_t>(std::max<std::int64_t>(milliseconds, 0)) & ((std::uint64_t{1} << 48) - 1);
  std::string id(22, '-');
  for (int i = 7; i >= 0; --i) {
    id[static_cast<std::size_t>(i)] = ordered_base64[time & 63];
    time >>= 6;
  }
  for (std::size_t i = 0; i < random.size(); ++i) id[8 + i] = ordered_base64[random[i] & 63];
  return id;
}

}  // namespace

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
  // The ids' random parts in one call: libsodium asks the kernel (getrandom) on every call, which
  // was one of the ~3.5 system calls the read-audit writer made per entry (issue 16, perf trace).
  constexpr std::size_t id_random_bytes = 14;
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not initialise (no random source?)");
  std::vector<unsigned char> random(events.size() * id_random_bytes);
  randombytes_buf(random.data(), random.size());
  entries.reserve(events.size());
  for (const AuditEvent& event : events) {
    clinic::AuditEntry entry;
    entry.id = time_ordered_record_id(
        now, std::span<const unsigned char, id_random_bytes>(random.data() + entries.size() * id_random_bytes, id_random_bytes));
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
