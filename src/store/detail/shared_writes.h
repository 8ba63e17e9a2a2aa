// Writes shared by clinic-scoped and record-wide transactions: audit entries and users.
#pragma once
#include <span>
#include <string>
#include <vector>

#include "clinic/records.h"
#include "store/detail/store_impl.h"
#include "store/transactions.h"

namespace scarscope::store::detail {

// Appends `events` to the chain of `clinic_id` ("" = the record-wide chain) in the transaction of
// `context`, holding the chain's head row locked until it commits so entries never fork.
std::vector<clinic::AuditEntry> append_audit_entries(TransactionContext& context, const std::string& clinic_id,
                                                     std::span<const AuditEvent> events);

// Inserts `user` (of user.clinic_id) with a new id, its email normalised; InputError conflict when
// the email is taken.
clinic::User insert_user(TransactionContext& context, clinic::User user);

}  // namespace scarscope::store::detail
