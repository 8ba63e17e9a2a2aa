#include "cli/patient_export.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "core/error.h"
#include "core/format.h"
#include "report/course.h"
#include "store/store.h"

namespace scarscope::cli {

void PatientExportOptions::add_to(CLI::App& app, const std::string& out_help) {
  app.add_option("--patient", patient, "The patient's id (as the record and the API give it)")->required();
  app.add_option("--clinic", clinic, "The clinic's name (default: the clinic whose record holds the patient)");
  app.add_option("--out", out, out_help)->required();
  record.add_to(app);
}

std::string PatientExportOptions::clinic_id(store::Store& store) const {
  if (clinic.empty()) return report::clinic_of_patient(store, patient);
  const std::optional<clinic::Clinic> found =
      store.read_system([&](const store::SystemReader& tx) { return tx.clinic_by_name(clinic); });
  if (!found) throw InputError("--clinic: no clinic named '" + clinic + "' in this record", ErrorCode::not_found, "--clinic");
  return found->id;
}

clinic::Timestamp export_moment() {
  const char* epoch = std::getenv("SOURCE_DATE_EPOCH");
  if (epoch == nullptr || *epoch == '\0') return clinic::system_clock().now();
  const std::optional<double> seconds = parse_decimal(epoch);
  if (!seconds || *seconds < 0 || *seconds > 253402300799.0 || *seconds != static_cast<double>(static_cast<long long>(*seconds))) {
    throw InputError(std::string("SOURCE_DATE_EPOCH: '") + epoch + "' is not a whole number of seconds since 1970",
                     ErrorCode::bad_input, "SOURCE_DATE_EPOCH");
  }
  return clinic::Timestamp(std::chrono::seconds(static_cast<long long>(*seconds)));
}

void write_export(const std::string& out, std::string_view bytes) {
  if (out == "-") {
    std::cout.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    std::cout.flush();
    return;
  }
  const std::string temporary = out + ".part" + std::to_string(::getpid());
  {
    std::ofstream file(temporary, std::ios::binary);
    if (!file) throw InputError(out + ": cannot write here", ErrorCode::not_found, "--out");
    file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    file.close();
    if (!file) {
      std::remove(temporary.c_str());
      throw InputError(out + ": writing failed", ErrorCode::bad_input, "--out");
    }
  }
  if (std::rename(temporary.c_str(), out.c_str()) != 0) {
    std::remove(temporary.c_str());
    throw InputError(out + ": cannot write here", ErrorCode::not_found, "--out");
  }
}

void audit_export(store::Store& store, const std::string& clinic_id, const std::string& patient_id,
                  const std::string& detail) {
  store.write(clinic_id, [&](store::ClinicWriter& tx) {
    tx.append_audit({{}, clinic::AuditAction::export_, "patient", patient_id, patient_id, detail});
  });
}

}  // namespace scarscope::cli
