// The rules a record must meet before it is stored, whoever stores it (the store calls these; a
// server may call them first to answer 422 early). Each throws InputError naming the field.
#pragma once
#include <string>
#include <string_view>

#include "clinic/records.h"

namespace scarscope::clinic {

// Trims spaces, lower-cases, and checks the shape of an email address (one '@', a dot after it,
// at most 254 bytes). Returns the normalised address.
std::string normalise_email(std::string_view email, const std::string& field = "email");

// `value` holds at most `max_bytes` bytes of valid UTF-8 without control characters (newlines and
// tabs allowed when `multiline`); `required`: not empty after trimming.
void check_text(const std::string& value, const std::string& field, std::size_t max_bytes, bool required = false,
                bool multiline = false);

// A date no earlier than 1900-01-01 and no later than a year after `today`.
void check_record_date(const CalendarDate& date, const CalendarDate& today, const std::string& field);

void check_clinic_name(const std::string& name);
void check_user(const User& user);  // email, display name, password hash shape
void check_patient(const Patient& patient, const CalendarDate& today);
void check_consent(const Consent& consent, const CalendarDate& today);
void check_visit(const Visit& visit, const CalendarDate& today);
void check_scan(const Scan& scan);
void check_document(const StoredDocument& document, const std::string& field);
void check_treatment_session(const TreatmentSession& session, const CalendarDate& today);
void check_adverse_event(const AdverseEvent& event, const CalendarDate& today);

}  // namespace scarscope::clinic
