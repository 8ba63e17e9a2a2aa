// `scarscope jobs list|retry|cancel [--db URL | --data DIR]`: the operators' view of the record's
// analysis and comparison queue (README "Running on many machines"). list shows jobs (oldest
// first) and how many are in each state; retry queues a failed or cancelled job again with fresh
// attempts; cancel stops a queued or running job (its worker sees the lost lease and stops). Each
// change leaves an entry in the job's clinic's audit trail. Nothing here shows patient data: ids,
// states, attempts, lease owners and the library's error messages.
#include <CLI/CLI.hpp>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "clinic/vocabulary.h"
#include "cli/json_output.h"
#include "cli/store_options.h"
#include "cli/verb.h"
#include "core/error.h"
#include "server/record_json.h"

namespace scarscope::cli {
namespace {

struct JobsOptions {
  RecordOptions record;
  JsonOutput json;
  std::string state;
  std::string clinic;
  int limit = 100;
  int offset = 0;
  std::string job_id;
  CLI::App* list = nullptr;
  CLI::App* retry = nullptr;
  CLI::App* cancel = nullptr;
};

nlohmann::json operator_job_json(const clinic::Job& job, const std::map<std::string, std::string>& clinic_names) {
  nlohmann::json out = server::job_json(job);
  auto name = clinic_names.find(job.clinic_id);
  out["clinic"] = name != clinic_names.end() ? name->second : job.clinic_id;
  out["lease_owner"] = job.lease_owner.empty() ? nlohmann::json() : nlohmann::json(job.lease_owner);
  return out;
}

int run_list(const JobsOptions& options) {
  if (options.limit < 1 || options.limit > 1000) throw InputError("--limit must be 1-1000", ErrorCode::out_of_range, "--limit");
  if (options.offset < 0) throw InputError("--offset must be 0 or more", ErrorCode::out_of_range, "--offset");
  store::JobQuery query;
  if (!options.state.empty()) query.state = clinic::parse_job_state(options.state, "--state");
  query.page = {options.limit, options.offset};
  const std::unique_ptr<store::Store> store = options.record.open();
  struct Listing {
    std::vector<clinic::Clinic> clinics;
    store::Page<clinic::Job> jobs;
    std::map<clinic::JobState, std::int64_t> counts;
  };
  const Listing listing = store->read_system([&](store::SystemReader& tx) {
    Listing found{tx.clinics(), {}, tx.job_counts()};
    if (!options.clinic.empty()) {
      const auto clinic = tx.clinic_by_name(options.clinic);
      if (!clinic) throw InputError("--clinic: no clinic named '" + options.clinic + "'", ErrorCode::not_found, "--clinic");
      query.clinic_id = clinic->id;
    }
    found.jobs = tx.jobs(query);
    return found;
  });
  std::map<std::string, std::string> clinic_names;
  for (const clinic::Clinic& clinic : listing.clinics) clinic_names[clinic.id] = clinic.name;
  nlohmann::json counts = nlohmann::json::object();
  for (clinic::JobState state : {clinic::JobState::queued, clinic::JobState::running, clinic::JobState::done,
                                 clinic::JobState::failed, clinic::JobState::cancelled}) {
    auto found = listing.counts.find(state);
    counts[std::string(clinic::name(state))] = found != listing.counts.end() ? found->second : 0;
  }
  nlohmann::json jobs = nlohmann::json::array();
  for (const clinic::Job& job : listing.jobs.items) jobs.push_back(operator_job_json(job, clinic_names));
  if (options.json.requested()) options.json.write({{"counts", counts}, {"total", listing.jobs.total}, {"jobs", jobs}});
  if (!options.json.to_stdout()) {
    std::cout << "Jobs in the record:";
    for (const auto& [state, count] : counts.items()) std::cout << " " << state << " " << count.get<std::int64_t>();
    std::cout << "\n";
    if (jobs.empty()) std::cout << "No jobs match.\n";
    for (const auto& job : jobs) {
      std::cout << job["id"].get<std::string>() << "  " << std::left << std::setw(10) << job["kind"].get<std::string>()
                << std::setw(9) << job["state"].get<std::string>() << " attempts " << job["attempts"].get<int>() << "/"
                << job["max_attempts"].get<int>() << "  " << job["clinic"].get<std::string>();
      if (!job["lease_owner"].is_null()) std::cout << "  on " << job["lease_owner"].get<std::string>();
      if (!job["error"].is_null()) std::cout << "  error: " << job["error"].get<std::string>();
      std::cout << "\n";
    }
    if (listing.jobs.total > static_cast<std::int64_t>(options.offset) + static_cast<std::int64_t>(jobs.size()))
      std::cout << "(" << listing.jobs.total << " match; --offset and --limit page through them)\n";
  }
  return 0;
}

int run_change(const JobsOptions& options, bool retry) {
  const std::unique_ptr<store::Store> store = options.record.open();
  const std::string verb = retry ? "retry" : "cancel";
  const clinic::Job job = store->write_system([&](store::SystemWriter& tx) {
    const auto found = tx.job(options.job_id);
    if (!found) throw InputError("no job " + options.job_id + " in this record", ErrorCode::not_found, "JOB");
    const bool changed = retry ? tx.retry_job(found->id) : tx.cancel_job(found->id);
    if (!changed) {
      throw InputError("job " + found->id + " is " + std::string(clinic::name(found->state)) + ": only " +
                           (retry ? "a failed or cancelled job can be retried" : "a queued or running job can be cancelled"),
                       ErrorCode::conflict, "JOB");
    }
    tx.append_audit(found->clinic_id, {{}, clinic::AuditAction::update, "job", found->id, found->patient_id,
                                       "scarscope jobs " + verb});
    return *tx.job(found->id);
  });
  if (options.json.requested()) options.json.write(server::job_json(job));
  if (!options.json.to_stdout()) std::cout << "Job " << job.id << " is now " << clinic::name(job.state) << ".\n";
  return 0;
}

VerbRunner setup(CLI::App& app) {
  auto options = std::make_shared<JobsOptions>();
  app.require_subcommand(1);
  options->list = app.add_subcommand("list", "List the jobs (oldest first) and how many are in each state");
  options->list->add_option("--state", options->state, "Only jobs in this state: queued, running, done, failed, cancelled");
  options->list->add_option("--clinic", options->clinic, "Only this clinic's jobs (its name)");
  options->list->add_option("--limit", options->limit, "At most this many jobs (1-1000, default 100)");
  options->list->add_option("--offset", options->offset, "Skip this many jobs first");
  options->retry = app.add_subcommand("retry", "Queue a failed or cancelled job again, with fresh attempts");
  options->cancel = app.add_subcommand("cancel", "Cancel a queued or running job");
  for (CLI::App* sub : {options->list, options->retry, options->cancel}) {
    options->record.add_to(*sub);
    options->json.add_to(*sub);
  }
  for (CLI::App* sub : {options->retry, options->cancel}) sub->add_option("JOB", options->job_id, "The job's id")->required();
  return [options] {
    if (options->list->parsed()) return run_list(*options);
    return run_change(*options, options->retry->parsed());
  };
}

const VerbRegistrar registrar{{"jobs", "Operators' view of the analysis queue: list, retry, cancel", 92, setup}};

}  // namespace
}  // namespace scarscope::cli
