// What the route handlers share: the record, the clock, the audit writer for reads, the treatment
// vocabulary, how to wake the job workers, and the policies (session length, login limits).
#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "clinic/clock.h"
#include "clinic/treatment_vocabulary.h"
#include "server/audit_writer.h"
#include "server/call.h"
#include "server/picture_cache.h"
#include "store/store.h"
#include "workflows/knowledge.h"

namespace scarscope::server {

struct ApiPolicy {
  std::chrono::seconds session_lifetime = std::chrono::hours(8);
  // Failed logins within the window after which further logins are refused (429) until the
  // window has passed: per account (guessing one password) and per address (trying many).
  int max_failed_logins_per_account = 5;
  int max_failed_logins_per_address = 30;
  std::chrono::seconds failed_login_window = std::chrono::minutes(15);
};

struct ApiContext {
  store::Store& store;
  const clinic::Clock& clock;
  AuditWriter& audit;
  clinic::TreatmentVocabulary vocabulary;
  // Grading tables and the treatment knowledge base, loaded once at start.
  std::shared_ptr<const Knowledge> knowledge;
  PictureCache& pictures;
  ApiPolicy policy;
  std::string version;
  // Called after a transaction queued jobs, so in-process workers look at once.
  std::function<void()> jobs_queued = [] {};
  // How many job attempts the in-process workers have ended, and a wait (at most `timeout`) until
  // they have ended more than `seen`: a long poll of a job's end without polling the record.
  std::function<std::uint64_t()> job_attempts_ended = [] { return std::uint64_t{0}; };
  std::function<void(std::uint64_t seen, std::chrono::milliseconds timeout)> wait_for_job_attempts;

  // Queues a read entry (group commit).
  void audit_read(const Call& call, std::string object_kind, std::string object_id, std::string patient_id,
                  std::string detail = {}) const;
  // The event of a change, for ClinicWriter::append_audit in the change's own transaction.
  static store::AuditEvent change(const Call& call, clinic::AuditAction action, std::string object_kind,
                                  std::string object_id, std::string patient_id, std::string detail = {});

  // The Principal for a session token; nullopt when unknown, expired, revoked or disabled.
  std::optional<Principal> authenticate(const std::string& token, bool by_cookie) const;
};

}  // namespace scarscope::server
