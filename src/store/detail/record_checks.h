// The checks of `scarscope fsck` that read only rows, shared with restore (which runs them on the
// restored rows before committing, so an archive whose audit trail was rewritten is refused).
#pragma once

namespace scarscope::store {
struct FsckReport;
namespace detail {
class TransactionContext;

// Rows that disagree with the rows they belong to (a scan of another patient than its visit, ...).
void check_consistency(TransactionContext& context, FsckReport& report);
// Every audit chain entry by entry against its head; an edited, inserted or deleted entry is an error.
void check_audit_chains(TransactionContext& context, FsckReport& report);
}  // namespace detail
}  // namespace scarscope::store
