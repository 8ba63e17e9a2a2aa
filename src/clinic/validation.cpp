#include "clinic/validation.h"

#include "clinic/documents.h"
#include "clinic/patient_profile_parts.h"
#include "core/error.h"

namespace scarscope::clinic {
namespace {

constexpr std::size_t name_bytes = 200;
constexpr std::size_t notes_bytes = 20000;
constexpr std::size_t document_bytes = std::size_t{64} << 20;

bool valid_utf8(std::string_view text, bool multiline) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if ((c < 0x20 && !(multiline && (c == '\n' || c == '\r' || c == '\t'))) || c == 0x7F) return false;
      ++i;
      continue;
    }
    std::size_t length = 0;
    std::uint32_t code = 0;
    if ((c & 0xE0) == 0xC0) { length = 2; code = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { length = 3; code = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { length = 4; code = c & 0x07; }
    else return false;
    if (i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    const std::uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < smallest[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += length;
  }
  return true;
}

std::string trimmed(std::string_view text) {
  const auto begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  const auto end = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(begin, end - begin + 1));
}

void require_id(const std::string& id, const std::string& field) {
  if (id.empty()) throw InputError(field + ": is required", ErrorCode::missing_field, field);
  if (id.size() > 64) throw InputError(field + ": is not an id", ErrorCode::bad_input, field);
}

}  // namespace

std::string normalise_email(std::string_view email, const std::string& field) {
  std::string address = trimmed(email);
  for (char& c : address) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  const auto at = address.find('@');
  const bool shaped = !address.empty() && address.size() <= 254 && at != std::string::npos && at > 0 &&
                      address.find('@', at + 1) == std::string::npos &&
                      address.find('.', at + 2) != std::string::npos && address.back() != '.' &&
                      address.find_first_of(" \t\r\n<>\"(),;:") == std::string::npos;
  if (!shaped || !valid_utf8(address, false)) {
    throw InputError(field + ": \"" + std::string(email.substr(0, 80)) + "\" is not an email address", ErrorCode::bad_input,
                     field);
  }
  return address;
}

void check_text(const std::string& value, const std::string& field, std::size_t max_bytes, bool required,
                bool multiline) {
  if (value.size() > max_bytes) {
    throw InputError(field + ": is longer than " + std::to_string(max_bytes) + " bytes", ErrorCode::too_large, field);
  }
  if (!valid_utf8(value, multiline)) {
    throw InputError(field + ": must be UTF-8 text without control characters", ErrorCode::bad_input, field);
  }
  if (required && trimmed(value).empty()) {
    throw InputError(field + ": is required", ErrorCode::missing_field, field);
  }
}

void check_record_date(const CalendarDate& date, const CalendarDate& today, const std::string& field) {
  const CalendarDate earliest = CalendarDate::parse("1900-01-01", field);
  if (date < earliest || date > today.plus_days(366)) {
    throw InputError(field + ": " + date.to_string() + " is not a plausible date (1900-01-01 to a year from today)",
                     ErrorCode::out_of_range, field);
  }
}

void check_clinic_name(const std::string& name) { check_text(name, "clinic", name_bytes, true); }

void check_user(const User& user) {
  if (normalise_email(user.email) != user.email) {
    throw InputError("email: must be stored normalised (lower case, no spaces)", ErrorCode::bad_input, "email");
  }
  check_text(user.display_name, "display_name", name_bytes);
  if (user.password_hash.rfind("$argon2id$", 0) != 0 || user.password_hash.size() > 256) {
    throw InputError("password_hash: must be an argon2id hash (clinic/password.h)", ErrorCode::bad_input,
                     "password_hash");
  }
}

void check_patient(const Patient& patient, const CalendarDate& today) {
  check_text(patient.name, "name", name_bytes, true);
  check_text(patient.identifier, "identifier", 64);
  if (patient.birth_year && (*patient.birth_year < 1900 || *patient.birth_year > today.year())) {
    throw InputError("birth_year: " + std::to_string(*patient.birth_year) + " is out of range 1900-" +
                         std::to_string(today.year()),
                     ErrorCode::out_of_range, "birth_year");
  }
  if (patient.fitzpatrick && (*patient.fitzpatrick < 1 || *patient.fitzpatrick > 6)) {
    throw InputError("fitzpatrick: " + std::to_string(*patient.fitzpatrick) + " is out of range 1-6",
                     ErrorCode::out_of_range, "fitzpatrick");
  }
  check_text(patient.profile_json, "profile", 64 * 1024, false, true);
  check_profile_parts(patient.profile_json, today);
}

void check_consent(const Consent& consent, const CalendarDate& today) {
  require_id(consent.patient_id, "patient_id");
  check_record_date(consent.date, today, "date");
  check_text(consent.note, "note", notes_bytes, false, true);
}

void check_visit(const Visit& visit, const CalendarDate& today) {
  require_id(visit.patient_id, "patient_id");
  check_record_date(visit.date, today, "date");
  check_text(visit.notes, "notes", notes_bytes, false, true);
}

void check_scan(const Scan& scan) {
  require_id(scan.visit_id, "visit_id");
  check_text(scan.file_name, "file_name", 255, true);
  check_text(scan.format, "format", 16, true);
  check_text(scan.instrument, "instrument", name_bytes);
  if (scan.sha256.size() != 64) throw InputError("sha256: must name a stored blob", ErrorCode::bad_input, "sha256");
}

void check_document(const StoredDocument& document, const std::string& field) {
  if (document.json.size() > document_bytes) {
    throw InputError(field + ": is larger than " + std::to_string(document_bytes) + " bytes", ErrorCode::too_large, field);
  }
  // The stamp must be the document's own: re-read it rather than trust the copy beside it.
  const StoredDocument reread = stored_document(document.json, field);
  if (reread.version != document.version || reread.schema != document.schema) {
    throw InputError(field + ": version and schema differ from the document's own scarscope stamp", ErrorCode::bad_input,
                     field);
  }
}

void check_treatment_session(const TreatmentSession& session, const CalendarDate& today) {
  require_id(session.patient_id, "patient_id");
  check_record_date(session.date, today, "date");
  check_text(session.notes, "notes", notes_bytes, false, true);
  if (session.target_scar_ids.size() > 10000) {
    throw InputError("target_scar_ids: too many", ErrorCode::too_large, "target_scar_ids");
  }
  for (int id : session.target_scar_ids) {
    if (id < 1) throw InputError("target_scar_ids: scar ids are 1 or more", ErrorCode::out_of_range, "target_scar_ids");
  }
}

void check_adverse_event(const AdverseEvent& event, const CalendarDate& today) {
  require_id(event.session_id, "session_id");
  check_record_date(event.onset, today, "onset");
  if (event.resolved) {
    check_record_date(*event.resolved, today, "resolved");
    if (*event.resolved < event.onset) {
      throw InputError("resolved: " + event.resolved->to_string() + " is before the onset " + event.onset.to_string(),
                       ErrorCode::out_of_range, "resolved");
    }
  }
  check_text(event.notes, "notes", notes_bytes, false, true);
}

}  // namespace scarscope::clinic
