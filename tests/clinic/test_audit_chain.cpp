// The audit hash chain: a chain built entry by entry verifies; an edited, removed, reordered or
// truncated one does not.
#include <gtest/gtest.h>

#include <functional>

#include "clinic/audit_chain.h"

namespace scarscope::clinic {
namespace {

std::vector<AuditEntry> build_chain(int length) {
  std::vector<AuditEntry> chain;
  std::string previous = audit_chain_start();
  for (int i = 1; i <= length; ++i) {
    AuditEntry entry;
    entry.id = "entry" + std::to_string(i);
    entry.clinic_id = "clinic";
    entry.sequence = i;
    entry.at = from_unix_microseconds(1'800'000'000'000'000 + i);
    entry.user_id = "user";
    entry.action = i % 2 ? AuditAction::read : AuditAction::update;
    entry.object_kind = "patient";
    entry.object_id = "p" + std::to_string(i);
    entry.patient_id = entry.object_id;
    entry.previous_hash = previous;
    entry.hash = audit_entry_hash(entry);
    previous = entry.hash;
    chain.push_back(entry);
  }
  return chain;
}

TEST(AuditChain, AnIntactChainVerifies) {
  const auto chain = build_chain(5);
  EXPECT_TRUE(check_audit_chain("clinic", chain, 5, chain.back().hash).empty());
  EXPECT_TRUE(check_audit_chain("clinic", {}, 0, audit_chain_start()).empty());
}

TEST(AuditChain, EveryFieldIsCoveredByTheHash) {
  const auto chain = build_chain(3);
  const std::vector<std::function<void(AuditEntry&)>> edits = {
      [](AuditEntry& e) { e.user_id = "someone else"; },   [](AuditEntry& e) { e.action = AuditAction::delete_; },
      [](AuditEntry& e) { e.object_id = "p9"; },            [](AuditEntry& e) { e.patient_id = ""; },
      [](AuditEntry& e) { e.detail = "x"; },                [](AuditEntry& e) { e.at += std::chrono::seconds(1); },
      [](AuditEntry& e) { e.clinic_id = "other"; },         [](AuditEntry& e) { e.object_kind = "scan"; },
      [](AuditEntry& e) { e.id = "forged"; },
  };
  for (std::size_t i = 0; i < edits.size(); ++i) {
    auto edited = chain;
    edits[i](edited[1]);
    const auto problems = check_audit_chain("clinic", edited, 3, edited.back().hash);
    ASSERT_FALSE(problems.empty()) << "edit " << i << " went unnoticed";
    EXPECT_EQ(problems.front().sequence, 2);
  }
  // Fields are length-prefixed: moving text from one field to the next changes the hash.
  AuditEntry a = chain[0], b = chain[0];
  a.object_kind = "patientp1";
  a.object_id = "";
  b.object_kind = "patient";
  b.object_id = "p1";
  EXPECT_NE(audit_entry_hash(a), audit_entry_hash(b));
}

TEST(AuditChain, ARemovedOrReorderedEntryBreaksTheChain) {
  auto chain = build_chain(4);
  auto removed = chain;
  removed.erase(removed.begin() + 1);
  EXPECT_FALSE(check_audit_chain("clinic", removed, 4, chain.back().hash).empty());
  auto swapped = chain;
  std::swap(swapped[1], swapped[2]);
  EXPECT_FALSE(check_audit_chain("clinic", swapped, 4, chain.back().hash).empty());
  // The last entries removed: the head still names the real end.
  auto truncated = chain;
  truncated.pop_back();
  const auto problems = check_audit_chain("clinic", truncated, 4, chain.back().hash);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].what.find("deleted"), std::string::npos);
}

}  // namespace
}  // namespace scarscope::clinic
