// The queue's rules that `scarscope worker` relies on, with the test clock (no sleeps): a lease
// that runs out hands the job to another worker and the first one can no longer complete it; a
// worker's --max-attempts caps the job's own limit; --no-clinic-share takes strictly the oldest
// job, the default gives clinics turns.
#include <gtest/gtest.h>

#include "core/error.h"
#include "scale_support.h"

namespace scarscope::test {
namespace {

using namespace std::chrono_literals;
using clinic::JobState;

class JobClaims : public ::testing::TestWithParam<store::Engine> {
 protected:
  TestRecord record{GetParam()};
  std::unique_ptr<store::Store> store = record.open();
  ClinicFixture north = make_clinic(*store, "North");
  ClinicFixture south = make_clinic(*store, "South");

  std::string queue(const ClinicFixture& clinic, int max_attempts = 3) {
    const clinic::Patient patient = make_patient(*store, clinic, "patient");
    const clinic::Visit visit = make_visit(*store, clinic, patient.id);
    const clinic::Scan scan = make_scan(*store, clinic, visit.id, "scan " + std::to_string(++made_));
    return store->write(clinic.clinic.id, [&](store::ClinicWriter& tx) {
      return tx.enqueue_job(clinic::JobKind::analysis, scan.id, {}, max_attempts).id;
    });
  }
  std::optional<clinic::Job> claim(const std::string& owner, std::chrono::microseconds lease = 30s,
                                   int max_attempts = 100, bool clinic_share = true) {
    store::JobClaim request{owner, lease};
    request.max_attempts = max_attempts;
    request.clinic_share = clinic_share;
    return store->write_system([&](store::SystemWriter& tx) { return tx.claim_job(request); });
  }
  clinic::Job job(const std::string& id) {
    return *store->read_system([&](const store::SystemReader& tx) { return tx.job(id); });
  }

 private:
  int made_ = 0;
};

TEST_P(JobClaims, AnExpiredLeaseGoesToAnotherWorkerAndTheFirstCannotCompleteIt) {
  const std::string id = queue(north);
  ASSERT_EQ(claim("host-a:1:0")->id, id);
  record.clock().advance(29s);
  EXPECT_FALSE(claim("host-b:2:0")) << "the lease still runs";
  record.clock().advance(2s);
  const auto again = claim("host-b:2:0");
  ASSERT_TRUE(again) << "the lease ran out: the job is claimable";
  EXPECT_EQ(again->id, id);
  EXPECT_EQ(again->attempts, 2);
  EXPECT_EQ(again->lease_owner, "host-b:2:0");
  // The first worker wakes up: its heartbeat and its result are refused.
  EXPECT_FALSE(store->write_system([&](store::SystemWriter& tx) { return tx.heartbeat_job(id, "host-a:1:0", 0.5, "x", 30s); }));
  EXPECT_FALSE(store->write(north.clinic.id, [&](store::ClinicWriter& tx) {
    return tx.complete_job(id, "host-a:1:0", "assessment", "nothing");
  }));
  EXPECT_TRUE(store->write(north.clinic.id, [&](store::ClinicWriter& tx) {
    return tx.complete_job(id, "host-b:2:0", "assessment", "result");
  }));
  EXPECT_EQ(job(id).state, JobState::done);
}

TEST_P(JobClaims, TheWorkersMaxAttemptsCapsTheJobsOwnLimit) {
  const std::string id = queue(north, 5);
  ASSERT_TRUE(claim("w:1:0", 30s, 2));
  auto after = store->write_system([&](store::SystemWriter& tx) { return tx.fail_job(id, "w:1:0", "first", 2); });
  ASSERT_TRUE(after);
  EXPECT_EQ(after->state, JobState::queued) << "one attempt of two made";
  ASSERT_TRUE(claim("w:1:0", 30s, 2));
  after = store->write_system([&](store::SystemWriter& tx) { return tx.fail_job(id, "w:1:0", "second: bad file", 2); });
  ASSERT_TRUE(after);
  EXPECT_EQ(after->state, JobState::failed) << "two attempts are this worker's limit, although the job allows 5";
  EXPECT_EQ(after->attempts, 2);
  EXPECT_EQ(after->error, "second: bad file");
  EXPECT_FALSE(claim("w:1:0", 30s, 2));
}

TEST_P(JobClaims, ALeaseThatRunsOutOnTheWorkersLastAttemptFailsTheJob) {
  const std::string id = queue(north, 5);
  ASSERT_TRUE(claim("w:1:0", 10s, 1));
  record.clock().advance(11s);  // the worker died without a word
  EXPECT_FALSE(claim("w:2:0", 10s, 1)) << "its only attempt is spent";
  const clinic::Job failed = job(id);
  EXPECT_EQ(failed.state, JobState::failed);
  EXPECT_EQ(failed.error, "the worker stopped renewing its lease on every attempt");
  EXPECT_TRUE(failed.finished_at);
}

TEST_P(JobClaims, ClinicsTakeTurnsUnlessTheWorkerTakesTheOldestFirst) {
  std::vector<std::string> north_jobs;
  for (int index = 0; index < 3; ++index) {
    north_jobs.push_back(queue(north));
    record.clock().advance(1s);
  }
  const std::string south_job = queue(south);
  record.clock().advance(1s);
  EXPECT_EQ(claim("w:1:0", 30s, 100, false)->id, north_jobs[0]);
  EXPECT_EQ(claim("w:1:0", 30s, 100, false)->id, north_jobs[1]) << "oldest first: North's batch before South";
  EXPECT_EQ(claim("w:1:0", 30s, 100, true)->id, south_job) << "turns: South has not had one yet";
  EXPECT_EQ(claim("w:1:0", 30s, 100, true)->id, north_jobs[2]);
}

TEST_P(JobClaims, AClaimLimitOutsideOneToAHundredIsRefused) {
  queue(north);
  for (int bad : {0, 101}) {
    try {
      claim("w:1:0", 30s, bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const InputError& error) {
      EXPECT_EQ(error.field(), "max_attempts");
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Engines, JobClaims, ::testing::ValuesIn(test_engines()), engine_name_for_test);

}  // namespace
}  // namespace scarscope::test
