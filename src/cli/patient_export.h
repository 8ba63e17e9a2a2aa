// What `scarscope report` and `scarscope export` share: the record and patient options, the kb the
// documents are made with, the moment they are made at, writing the result, and the audit entry
// every export of patient data leaves in the record.
#pragma once
#include <memory>
#include <string>
#include <string_view>

#include "cli/store_options.h"
#include "clinic/clock.h"
#include "core/bytes.h"

namespace CLI {
class App;
}

namespace scarscope::cli {

struct PatientExportOptions {
  RecordOptions record;
  std::string patient;
  std::string clinic;  // the clinic's name; empty: the clinic that has the patient
  std::string out;     // a file, or "-" for standard output

  // Adds --patient ID, --clinic NAME, --out FILE and the record's --data/--db.
  void add_to(CLI::App& app, const std::string& out_help);
  // The clinic id whose record holds the patient. InputError not_found naming --clinic or --patient.
  std::string clinic_id(store::Store& store) const;
};

// Now, or SOURCE_DATE_EPOCH (seconds since 1970, the reproducible-builds convention) when it is set,
// so the same record gives the same document. InputError naming the variable when it is not a number.
clinic::Timestamp export_moment();

// Writes the bytes to `out` ("-": standard output) through a temporary file renamed into place, so
// a failed run never leaves half a document. InputError naming the path when it cannot be written.
void write_export(const std::string& out, std::string_view bytes);

// Appends the `export` audit entry of the patient (no user: the record's operator ran the CLI).
void audit_export(store::Store& store, const std::string& clinic_id, const std::string& patient_id,
                  const std::string& detail);

}  // namespace scarscope::cli
