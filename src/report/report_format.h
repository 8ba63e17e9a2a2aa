// Small pieces of text both reports and the FHIR export write the same way (internal to src/report).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "clinic/clock.h"
#include "planning/calendar_date.h"
#include "planning/knowledge_base.h"
#include "report/pdf_document.h"
#include "report/report_text.h"
#include "report/reports.h"

namespace scarscope::report {

// The calendar day of a moment (UTC).
CalendarDate day_of(clinic::Timestamp moment);
// "2026-12-05T10:30:00" (UTC, whole seconds), for the PDF's metadata and FHIR's instants (+ "Z").
std::string iso_seconds(clinic::Timestamp moment);

// "3, 7, 12"
std::string ids_text(const std::vector<int>& ids);
// "3-6", "4", or `none` when there is no range; numbers in the language's notation.
std::string range_text(const ReportText& text, const std::optional<NumericRange>& range, const std::string& none = "-");
// "Lee JB et al 2002 (series)" / "... (expert, unconfirmed)": the authors and the first year of a
// citation, with the kind of evidence.
std::string short_citation(const ReportText& text, const Evidence& evidence);

// A report's empty document: title ("<section>.title - patient"), clinic as author, ScarScope as
// creator, the moment made, the footer every page carries (clinic, patient, date, software and
// knowledge-base versions) and the page label "<section>.page". `section`: "clinician" or "patient".
Document report_document(const PatientCourse& course, const ReportContext& context, const std::string& section);

// Upper-cases the first letter when it is ASCII ("three ice pick scars" -> "Three ...").
std::string capitalised(std::string text);

}  // namespace scarscope::report
