// The clinic record's objects as the API shows them, and their schemas (OpenAPI components): the
// JSON and the schema of each object are written side by side so they cannot disagree (the tests
// check every response against its schema).
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "clinic/records.h"
#include "server/json_schema.h"

namespace scarscope::server {

using Json = nlohmann::json;

// Adds every object schema (Patient, Visit, Scan, Job, ...) to `components`.
void add_record_schemas(schema::Components& components);

Json user_json(const clinic::User& user);
Json patient_json(const clinic::Patient& patient);
Json consent_json(const clinic::Consent& consent);
Json visit_json(const clinic::Visit& visit);
Json scan_json(const clinic::Scan& scan);
Json job_json(const clinic::Job& job);
// The assessment in force: the latest correction's document when there is one, else the analysis.
Json assessment_json(const clinic::Assessment& assessment, const std::vector<clinic::AssessmentCorrection>& corrections);
Json comparison_json(const clinic::Comparison& comparison);
Json plan_json(const clinic::Plan& plan);
Json session_json(const clinic::TreatmentSession& session, const std::vector<clinic::AdverseEvent>& events);
Json adverse_event_json(const clinic::AdverseEvent& event);
Json audit_entry_json(const clinic::AuditEntry& entry);

// A page of a list: {"items", "total", "limit", "offset"}.
Json page_json(Json items, std::int64_t total, int limit, int offset);
schema::Json page_schema(const std::string& item_component);
// {"items": [...]} for lists that are not paged.
schema::Json list_schema(const std::string& item_component);

// The parsed JSON of a stored document (the text is the library's own output).
Json document_json(const clinic::StoredDocument& document);

}  // namespace scarscope::server
