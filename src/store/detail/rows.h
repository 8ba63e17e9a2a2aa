// Records to and from rows: the column list each query selects and the mapping of a row to a
// record, in one place per record.
#pragma once
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "clinic/records.h"
#include "store/detail/sql.h"

namespace scarscope::store::detail {

// Reads the cells of one row left to right.
class RowReader {
 public:
  RowReader(const SqlRows& rows, std::size_t row) : rows_(rows), row_(row) {}
  std::string text() { return rows_.text_or_empty(row_, next()); }
  std::int64_t integer() { return rows_.integer(row_, next()); }
  double real() { return rows_.real(row_, next()); }
  bool boolean() { return integer() != 0; }
  std::optional<int> optional_int() {
    const std::size_t c = next();
    return rows_.is_null(row_, c) ? std::nullopt : std::optional<int>(static_cast<int>(rows_.integer(row_, c)));
  }
  clinic::Timestamp timestamp() { return clinic::from_unix_microseconds(integer()); }
  std::optional<clinic::Timestamp> optional_timestamp() {
    const std::size_t c = next();
    if (rows_.is_null(row_, c)) return std::nullopt;
    return clinic::from_unix_microseconds(rows_.integer(row_, c));
  }
  CalendarDate date();
  std::optional<CalendarDate> optional_date();
  // Three columns: document, version, schema (all NULL for an absent optional document).
  clinic::StoredDocument document();
  std::optional<clinic::StoredDocument> optional_document();

 private:
  std::size_t next() { return column_++; }
  const SqlRows& rows_;
  std::size_t row_;
  std::size_t column_ = 0;
};

// The SELECT list of each record, in the order its reader below expects.
extern const std::string_view clinic_columns;
extern const std::string_view user_columns;
extern const std::string_view patient_columns;
extern const std::string_view consent_columns;
extern const std::string_view visit_columns;
extern const std::string_view scan_columns;
extern const std::string_view assessment_columns;
extern const std::string_view correction_columns;
extern const std::string_view comparison_columns;
extern const std::string_view plan_columns;
extern const std::string_view session_columns;
extern const std::string_view adverse_event_columns;
extern const std::string_view job_columns;
extern const std::string_view audit_columns;
extern const std::string_view auth_session_columns;

clinic::Clinic clinic_from(const SqlRows& rows, std::size_t row);
clinic::User user_from(const SqlRows& rows, std::size_t row);
clinic::Patient patient_from(const SqlRows& rows, std::size_t row);
clinic::Consent consent_from(const SqlRows& rows, std::size_t row);
clinic::Visit visit_from(const SqlRows& rows, std::size_t row);
clinic::Scan scan_from(const SqlRows& rows, std::size_t row);
clinic::Assessment assessment_from(const SqlRows& rows, std::size_t row);
clinic::AssessmentCorrection correction_from(const SqlRows& rows, std::size_t row);
clinic::Comparison comparison_from(const SqlRows& rows, std::size_t row);
clinic::Plan plan_from(const SqlRows& rows, std::size_t row);
clinic::TreatmentSession session_from(const SqlRows& rows, std::size_t row);
clinic::AdverseEvent adverse_event_from(const SqlRows& rows, std::size_t row);
clinic::Job job_from(const SqlRows& rows, std::size_t row);
clinic::AuditEntry audit_entry_from(const SqlRows& rows, std::size_t row);
clinic::AuthSession auth_session_from(const SqlRows& rows, std::size_t row);

// Every row of a result as records.
template <class Record>
std::vector<Record> all_rows(const SqlRows& rows, Record (*from)(const SqlRows&, std::size_t)) {
  std::vector<Record> records;
  records.reserve(rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r) records.push_back(from(rows, r));
  return records;
}
template <class Record>
std::optional<Record> first_row(const SqlRows& rows, Record (*from)(const SqlRows&, std::size_t)) {
  if (rows.empty()) return std::nullopt;
  return from(rows, 0);
}

// Session parameters and target scar ids as the JSON text they are kept in.
std::string parameters_json(const std::map<std::string, double>& parameters);
std::string scar_ids_json(const std::vector<int>& ids);

// Lower-case for search: ASCII letters and the Latin-1 letters (U+00C0..U+00DE) folded the same
// way on both engines.
std::string fold_for_search(std::string_view text);

}  // namespace scarscope::store::detail
