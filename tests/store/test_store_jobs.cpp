// The job queue in the store: enqueue, claim under a lease, heartbeat, complete with the result in
// the same transaction, fail and retry up to the limit, leases that expire (moved by the test clock,
// never by sleeping), operators' retry and cancel, and fair turns between clinics.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "core/error.h"
#include "store_test_support.h"

namespace scarscope::test {
namespace {

using namespace std::chrono_literals;
using clinic::JobKind;
using clinic::JobState;
using store::ClinicWriter;
using store::Engine;
using store::SystemWriter;

class StoreJobs : public ::testing::TestWithParam<Engine> {
 protected:
  TestRecord record{GetParam()};
  std::unique_ptr<store::Store> store = record.open();
  ClinicFixture clinic_a = make_clinic(*store, "A");

  // A scan of a new patient of `fixture`, and its queued analysis.
  clinic::Job queue_analysis(const ClinicFixture& fixture, int max_attempts = 3) {
    const clinic::Patient patient = make_patient(*store, fixture, "patient");
    const clinic::Visit visit = make_visit(*store, fixture, patient.id);
    const clinic::Scan scan = make_scan(*store, fixture, visit.id, "scan " + std::to_string(counter_++));
    return store->write(fixture.clinic.id, [&](ClinicWriter& tx) {
      return tx.enqueue_job(JobKind::analysis, scan.id, {}, max_attempts);
    });
  }
  std::optional<clinic::Job> claim(const std::string& owner, std::chrono::microseconds lease = 60s) {
    return store->write_system([&](SystemWriter& tx) { return tx.claim_job({owner, lease}); });
  }
  clinic::Job job(const std::string& id) {
    return *store->read_system([&](store::SystemReader& tx) { return tx.job(id); });
  }

 private:
  int counter_ = 0;
};

TEST_P(StoreJobs, AJobIsClaimedCompletedWithItsResultAndNotClaimedAgain) {
  const clinic::Job queued = queue_analysis(clinic_a);
  EXPECT_EQ(queued.state, JobState::queued);
  const auto claimed = claim("worker-1");
  ASSERT_TRUE(claimed);
  EXPECT_EQ(claimed->id, queued.id);
  EXPECT_EQ(claimed->state, JobState::running);
  EXPECT_EQ(claimed->attempts, 1);
  EXPECT_EQ(claimed->lease_owner, "worker-1");
  EXPECT_EQ(claimed->lease_expires_at, record.clock().now() + 60s);
  EXPECT_FALSE(claim("worker-2")) << "a running job under a live lease was claimed again";

  record.clock().advance(20s);
  EXPECT_TRUE(store->write_system([&](SystemWriter& tx) { return tx.heartbeat_job(queued.id, "worker-1", 0.5, "detection", 60s); }));
  EXPECT_FALSE(store->write_system([&](SystemWriter& tx) { return tx.heartbeat_job(queued.id, "worker-2", 0.5, "x", 60s); }));
  EXPECT_EQ(job(queued.id).progress, 0.5);
  EXPECT_EQ(job(queued.id).stage, "detection");
  EXPECT_EQ(job(queued.id).lease_expires_at, record.clock().now() + 60s);

  // The result and the completion in one transaction.
  const clinic::Assessment assessment = store->write(clinic_a.clinic.id, [&](ClinicWriter& tx) {
    clinic::Assessment draft;
    draft.scan_id = queued.scan_id;
    draft.analysis = test_document("analysis", 1);
    draft.job_id = queued.id;
    const clinic::Assessment stored = tx.store_assessment(draft);
    EXPECT_TRUE(tx.complete_job(queued.id, "worker-1", "assessment", stored.id));
    return stored;
  });
  const clinic::Job done = job(queued.id);
  EXPECT_EQ(done.state, JobState::done);
  EXPECT_EQ(done.result_kind, "assessment");
  EXPECT_EQ(done.result_id, assessment.id);
  EXPECT_EQ(done.finished_at, record.clock().now());
  EXPECT_EQ(done.progress, 1.0);
  record.clock().advance(10min);
  EXPECT_FALSE(claim("worker-2"));
}

TEST_P(StoreJobs, AnExpiredLeaseMakesTheJobClaimableAndTheOldWorkerCannotFinishIt) {
  const clinic::Job queued = queue_analysis(clinic_a);
  ASSERT_TRUE(claim("worker-1", 30s));
  record.clock().advance(29s);
  EXPECT_FALSE(claim("worker-2"));
  record.clock().advance(1s);  // the lease ends now
  const auto taken = claim("worker-2", 30s);
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->id, queued.id);
  EXPECT_EQ(taken->attempts, 2);
  EXPECT_EQ(taken->lease_owner, "worker-2");
  // The first worker comes back: its heartbeat, completion and failure all say it lost the job.
  EXPECT_FALSE(store->write_system([&](SystemWriter& tx) { return tx.heartbeat_job(queued.id, "worker-1", 0.9, "", 30s); }));
  EXPECT_FALSE(store->write(clinic_a.clinic.id, [&](ClinicWriter& tx) {
    return tx.complete_job(queued.id, "worker-1", "assessment", "x");
  }));
  EXPECT_FALSE(store->write_system([&](SystemWriter& tx) { return tx.fail_job(queued.id, "worker-1", "boom"); }));
  EXPECT_EQ(job(queued.id).lease_owner, "worker-2");
  EXPECT_EQ(job(queued.id).state, JobState::running);
}

TEST_P(StoreJobs, AFailingJobIsRetriedUpToItsLimitThenFailedWithTheLastMessage) {
  const clinic::Job queued = queue_analysis(clinic_a, 2);
  ASSERT_TRUE(claim("worker-1"));
  const auto first = store->write_system([&](SystemWriter& tx) { return tx.fail_job(queued.id, "worker-1", "out of memory"); });
  ASSERT_TRUE(first);
  EXPECT_EQ(first->state, JobState::queued);
  EXPECT_EQ(first->error, "out of memory");
  ASSERT_TRUE(claim("worker-2"));
  const auto second = store->write_system([&](SystemWriter& tx) {
    return tx.fail_job(queued.id, "worker-2", "scan.x3p: main.xml: SizeX is -3");
  });
  ASSERT_TRUE(second);
  EXPECT_EQ(second->state, JobState::failed);
  EXPECT_EQ(second->attempts, 2);
  EXPECT_EQ(second->error, "scan.x3p: main.xml: SizeX is -3");
  EXPECT_TRUE(second->finished_at.has_value());
  EXPECT_FALSE(claim("worker-3"));

  // An operator retries it: fresh attempts.
  EXPECT_TRUE(store->write_system([&](SystemWriter& tx) { return tx.retry_job(queued.id); }));
  EXPECT_FALSE(store->write_system([&](SystemWriter& tx) { return tx.retry_job(queued.id); }));
  const auto again = claim("worker-3");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->attempts, 1);
  EXPECT_EQ(again->error, "");
}

TEST_P(StoreJobs, AWorkerThatDiesOnEveryAttemptLeavesTheJobFailed) {
  const clinic::Job queued = queue_analysis(clinic_a, 2);
  ASSERT_TRUE(claim("worker-1", 10s));
  record.clock().advance(11s);
  ASSERT_TRUE(claim("worker-2", 10s));
  record.clock().advance(11s);
  EXPECT_FALSE(claim("worker-3", 10s));
  const clinic::Job failed = job(queued.id);
  EXPECT_EQ(failed.state, JobState::failed);
  EXPECT_NE(failed.error.find("lease"), std::string::npos) << failed.error;
}

TEST_P(StoreJobs, AGracefulStopReleasesTheJobWithoutCountingTheAttempt) {
  const clinic::Job queued = queue_analysis(clinic_a);
  ASSERT_TRUE(claim("worker-1"));
  EXPECT_TRUE(store->write_system([&](SystemWriter& tx) { return tx.release_job(queued.id, "worker-1"); }));
  const auto again = claim("worker-2");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->attempts, 1);
}

TEST_P(StoreJobs, ACancelledJobStopsItsWorkerAtTheNextHeartbeat) {
  const clinic::Job queued = queue_analysis(clinic_a);
  ASSERT_TRUE(claim("worker-1"));
  EXPECT_TRUE(store->write_system([&](SystemWriter& tx) { return tx.cancel_job(queued.id); }));
  EXPECT_FALSE(store->write_system([&](SystemWriter& tx) { return tx.heartbeat_job(queued.id, "worker-1", 0.2, "", 60s); }));
  EXPECT_EQ(job(queued.id).state, JobState::cancelled);
  const auto counts = store->read_system([](store::SystemReader& tx) { return tx.job_counts(); });
  EXPECT_EQ(counts.at(JobState::cancelled), 1);
  EXPECT_EQ(counts.at(JobState::queued), 0);
}

TEST_P(StoreJobs, ClinicsTakeTurnsSoABigBatchDoesNotStarveASingleScan) {
  const ClinicFixture clinic_b = make_clinic(*store, "B");
  for (int i = 0; i < 30; ++i) {
    queue_analysis(clinic_a);
    record.clock().advance(1s);
  }
  const clinic::Job single = queue_analysis(clinic_b);
  record.clock().advance(1s);
  std::vector<std::string> order;
  for (int i = 0; i < 4; ++i) {
    const auto claimed = claim("worker");
    ASSERT_TRUE(claimed);
    order.push_back(claimed->clinic_id);
    record.clock().advance(1s);
  }
  // A's oldest job first (no clinic had a turn yet, A's job is older), then B's single one.
  EXPECT_EQ(order[0], clinic_a.clinic.id);
  EXPECT_EQ(order[1], clinic_b.clinic.id);
  EXPECT_EQ(order[2], clinic_a.clinic.id);
  EXPECT_EQ(job(single.id).state, JobState::running);
}

TEST_P(StoreJobs, ComparisonsNeedAnotherScanOfTheSamePatient) {
  const clinic::Patient patient = make_patient(*store, clinic_a, "p");
  const clinic::Visit first = make_visit(*store, clinic_a, patient.id, "2026-09-01");
  const clinic::Visit second = make_visit(*store, clinic_a, patient.id, "2026-11-01");
  const clinic::Scan baseline = make_scan(*store, clinic_a, first.id, "baseline");
  const clinic::Scan followup = make_scan(*store, clinic_a, second.id, "follow-up");
  const clinic::Job comparison = store->write(clinic_a.clinic.id, [&](ClinicWriter& tx) {
    return tx.enqueue_job(JobKind::comparison, followup.id, baseline.id);
  });
  EXPECT_EQ(comparison.baseline_scan_id, baseline.id);
  EXPECT_THROW(store->write(clinic_a.clinic.id,
                            [&](ClinicWriter& tx) { tx.enqueue_job(JobKind::comparison, followup.id, followup.id); }),
               InputError);
  // A worker that only analyses does not take it.
  EXPECT_FALSE(store->write_system([&](SystemWriter& tx) {
    return tx.claim_job({"analyser", 60s, {JobKind::analysis}});
  }));
  EXPECT_TRUE(store->write_system([&](SystemWriter& tx) { return tx.claim_job({"comparer", 60s, {JobKind::comparison}}); }));
}

TEST_P(StoreJobs, ConcurrentWorkersClaimEachJobExactlyOnce) {
  constexpr int jobs = 60;
  std::set<std::string> queued;
  for (int i = 0; i < jobs; ++i) queued.insert(queue_analysis(clinic_a).id);
  std::mutex mutex;
  std::multiset<std::string> claimed;
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&, w] {
      const std::string owner = "worker-" + std::to_string(w);
      while (true) {
        const auto job = store->write_system([&](SystemWriter& tx) { return tx.claim_job({owner, 600s}); });
        if (!job) break;
        const bool completed = store->write(job->clinic_id, [&](ClinicWriter& tx) {
          return tx.complete_job(job->id, owner, "assessment", "result-" + job->id);
        });
        EXPECT_TRUE(completed);
        std::lock_guard lock(mutex);
        claimed.insert(job->id);
      }
    });
  }
  for (auto& worker : workers) worker.join();
  EXPECT_EQ(claimed.size(), static_cast<std::size_t>(jobs));
  EXPECT_EQ(std::set<std::string>(claimed.begin(), claimed.end()), queued);
  const auto counts = store->read_system([](store::SystemReader& tx) { return tx.job_counts(); });
  EXPECT_EQ(counts.at(JobState::done), jobs);
}

INSTANTIATE_TEST_SUITE_P(Engines, StoreJobs, ::testing::Values(Engine::sqlite, Engine::postgres),
                         [](const auto& info) { return engine_label(info.param); });

}  // namespace
}  // namespace scarscope::test
