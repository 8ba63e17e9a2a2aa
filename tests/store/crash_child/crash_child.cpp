// A process the crash tests kill with SIGKILL in the middle of the store's work. It writes a line to
// standard output at each point the test may wait for, then (at a fault point) blocks reading
// standard input, which the test never writes to, until it is killed.
//   store_crash_child sqlite DIR|postgres URL  CLINIC_ID USER_ID  SCENARIO [POINT]
// Scenarios: scan POINT (store a 3 MiB scan, stop at POINT), transaction (a patient with visits and
// audit entries in one transaction, stop before its commit), stream (store scans one after another,
// saying "committed PATIENT_ID" after each commit, until killed).
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "clinic/records.h"
#include "store/store.h"

using namespace scarscope;

namespace {

[[noreturn]] void wait_to_be_killed(const std::string& point) {
  std::cout << "at " << point << std::endl;
  char byte;
  while (::read(0, &byte, 1) != 0) {
  }
  std::_Exit(3);  // the test closed our input instead of killing us: a test bug
}

clinic::Scan store_scan(store::Store& store, const std::string& clinic_id, const std::string& user_id, int number) {
  clinic::Patient patient_draft;
  patient_draft.name = "Crash patient " + std::to_string(number);
  patient_draft.created_by = user_id;
  const std::string content = std::string(3 * 1024 * 1024, static_cast<char>('a' + number % 26)) + std::to_string(number);
  const store::BlobRef blob = store.put_blob(std::string_view(content));
  return store.write(clinic_id, [&](store::ClinicWriter& tx) {
    const clinic::Patient patient = tx.create_patient(patient_draft);
    clinic::Visit visit;
    visit.patient_id = patient.id;
    visit.date = CalendarDate::parse("2026-11-01", "date");
    const clinic::Visit stored_visit = tx.create_visit(visit);
    clinic::Scan scan;
    scan.visit_id = stored_visit.id;
    scan.file_name = "crash.x3p";
    scan.format = "x3p";
    scan.sha256 = blob.sha256;
    scan.size_bytes = blob.size;
    return tx.create_scan(scan);
  });
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 6) {
    std::cerr << "usage: store_crash_child sqlite DIR|postgres URL CLINIC_ID USER_ID SCENARIO [POINT]\n";
    return 2;
  }
  const std::string engine = argv[1], where = argv[2], clinic_id = argv[3], user_id = argv[4], scenario = argv[5];
  const std::string stop_at = argc > 6 ? argv[6] : "";
  const store::StoreLocation location =
      engine == "sqlite" ? store::StoreLocation::sqlite(where) : store::StoreLocation::postgres(where);
  store::StoreOptions options;
  bool armed = false;  // only the scenario's own work stops at the point
  options.fault_hook = [&](std::string_view point) {
    if (armed && point == stop_at) wait_to_be_killed(stop_at);
  };
  std::unique_ptr<store::Store> store = store::Store::open(location, options);
  std::cout << "ready" << std::endl;
  if (scenario == "scan") {
    armed = true;
    store_scan(*store, clinic_id, user_id, 0);
    std::cout << "finished" << std::endl;
  } else if (scenario == "transaction") {
    armed = true;
    store->write(clinic_id, [&](store::ClinicWriter& tx) {
      clinic::Patient draft;
      draft.name = "Never committed";
      const clinic::Patient patient = tx.create_patient(draft);
      for (int v = 0; v < 5; ++v) {
        clinic::Visit visit;
        visit.patient_id = patient.id;
        visit.date = CalendarDate::parse("2026-10-0" + std::to_string(v + 1), "date");
        tx.create_visit(visit);
        tx.append_audit(store::AuditEvent{user_id, clinic::AuditAction::create, "visit", patient.id, patient.id, ""});
      }
    });
    std::cout << "finished" << std::endl;
  } else if (scenario == "stream") {
    for (int number = 1;; ++number) {
      const clinic::Scan scan = store_scan(*store, clinic_id, user_id, number);
      std::cout << "committed " << scan.patient_id << std::endl;
    }
  }
  return 0;
}
