// The names of the clinic record's vocabularies, as they appear in JSON, SQL and the CLI.
// name() gives the stable name; parse_*() reads one and throws InputError (out_of_range, with the
// field) listing the accepted names.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "clinic/records.h"

namespace scarscope::clinic {

std::string_view name(Role value);
std::string_view name(Sex value);
std::string_view name(ConsentKind value);
std::string_view name(ConsentState value);
std::string_view name(Region value);
std::string_view name(PlanStatus value);
std::string_view name(AdverseEventKind value);
std::string_view name(Severity value);
std::string_view name(JobKind value);
std::string_view name(JobState value);
std::string_view name(AuditAction value);

// `field` names the JSON field or option the text came from ("role", "--role").
Role parse_role(std::string_view text, const std::string& field = "role");
Sex parse_sex(std::string_view text, const std::string& field = "sex");
ConsentKind parse_consent_kind(std::string_view text, const std::string& field = "kind");
ConsentState parse_consent_state(std::string_view text, const std::string& field = "state");
Region parse_region(std::string_view text, const std::string& field = "region");
PlanStatus parse_plan_status(std::string_view text, const std::string& field = "status");
AdverseEventKind parse_adverse_event_kind(std::string_view text, const std::string& field = "kind");
Severity parse_severity(std::string_view text, const std::string& field = "severity");
JobKind parse_job_kind(std::string_view text, const std::string& field = "kind");
JobState parse_job_state(std::string_view text, const std::string& field = "state");
AuditAction parse_audit_action(std::string_view text, const std::string& field = "action");

// The planner's region (scarscope plan --region) for a visit's body region: the planner plans the face
// as one region; "" for a region it has no rules for (the neck).
std::string planning_region(Region region);

// Every name of a vocabulary, in declaration order (for OpenAPI enums and help texts).
std::vector<std::string_view> region_names();
std::vector<std::string_view> role_names();
std::vector<std::string_view> adverse_event_kind_names();

}  // namespace scarscope::clinic
