// Writes shared by clinic-scoped and record-wide transactions: audit entries and users.
#pragma once
#include <span>
#include <string>
#include <vector>

#include "clinic/records.h"
#include "store/detail/store_impl.h"
#include "store/transactions.h"

namespace scarscope::store::detail {

// A record id (22 base64url characters, 84 of its bits random) that begins with `at` in
// milliseconds, in characters whose text order is their number order: ids made later sort after
// earlier ones, so the rows an index keys by them are appended at its end.
std::string time_ordered_record_id(clinic::Timestamp at);

// Appends `events` to the chain of `clinic_id` ("" = the record-wide chain) in the transaction of
// `context`, holding the chain's head row locked until it commits so entries never fork.
std::vector<clinic::AuditEntry> append_audit_entries(TransactionContext& context, const std::string& clinic_id,
                                                     std::span<const AuditEvent> events);

// Inserts `user` (of user.clinic_id) with a new id, its email normalised; InputError conflict when
// the email is taken.
clinic::User insert_user(TransactionContext& context, clinic::User user);

}  // namespace scarscope::store::detail
