#include "clinic/vocabulary.h"

#include <array>

#include "core/error.h"

namespace scarscope::clinic {
namespace {

// Each vocabulary's names in enumerator order: one table per vocabulary, read both ways.
constexpr std::array<std::string_view, 3> role_table = {"admin", "clinician", "assistant"};
constexpr std::array<std::string_view, 3> sex_table = {"female", "male", "other"};
constexpr std::array<std::string_view, 3> consent_kind_table = {"treatment", "photography", "research"};
constexpr std::array<std::string_view, 2> consent_state_table = {"given", "withdrawn"};
constexpr std::array<std::string_view, 12> region_table = {
    "forehead", "left_cheek", "right_cheek", "left_temple", "right_temple", "nose",
    "chin",     "perioral",   "jawline",     "neck",        "chest",        "back"};
constexpr std::array<std::string_view, 3> plan_status_table = {"proposed", "accepted", "superseded"};
constexpr std::array<std::string_view, 8> adverse_event_kind_table = {
    "erythema",         "oedema",       "bruising", "post_inflammatory_hyperpigmentation", "infection",
    "hsv_reactivation", "new_scarring", "other"};
constexpr std::array<std::string_view, 3> severity_table = {"mild", "moderate", "severe"};
constexpr std::array<std::string_view, 2> job_kind_table = {"analysis", "comparison"};
constexpr std::array<std::string_view, 5> job_state_table = {"queued", "running", "done", "failed", "cancelled"};
constexpr std::array<std::string_view, 9> audit_action_table = {
    "read", "create", "update", "delete", "export", "login", "login_failed", "backup", "restore"};

template <class Enum, std::size_t N>
std::string_view name_in(const std::array<std::string_view, N>& table, Enum value) {
  const auto index = static_cast<std::size_t>(value);
  return index < N ? table[index] : std::string_view("?");
}

template <class Enum, std::size_t N>
Enum parse_in(const std::array<std::string_view, N>& table, std::string_view text, const std::string& field) {
  for (std::size_t i = 0; i < N; ++i) {
    if (table[i] == text) return static_cast<Enum>(i);
  }
  std::string accepted;
  for (std::size_t i = 0; i < N; ++i) accepted += (i ? ", " : "") + std::string(table[i]);
  throw InputError(field + ": \"" + std::string(text) + "\" is not one of " + accepted, ErrorCode::out_of_range, field);
}

template <std::size_t N>
std::vector<std::string_view> names_of(const std::array<std::string_view, N>& table) {
  return {table.begin(), table.end()};
}

}  // namespace

std::string_view name(Role value) { return name_in(role_table, value); }
std::string_view name(Sex value) { return name_in(sex_table, value); }
std::string_view name(ConsentKind value) { return name_in(consent_kind_table, value); }
std::string_view name(ConsentState value) { return name_in(consent_state_table, value); }
std::string_view name(Region value) { return name_in(region_table, value); }
std::string_view name(PlanStatus value) { return name_in(plan_status_table, value); }
std::string_view name(AdverseEventKind value) { return name_in(adverse_event_kind_table, value); }
std::string_view name(Severity value) { return name_in(severity_table, value); }
std::string_view name(JobKind value) { return name_in(job_kind_table, value); }
std::string_view name(JobState value) { return name_in(job_state_table, value); }
std::string_view name(AuditAction value) { return name_in(audit_action_table, value); }

Role parse_role(std::string_view text, const std::string& field) { return parse_in<Role>(role_table, text, field); }
Sex parse_sex(std::string_view text, const std::string& field) { return parse_in<Sex>(sex_table, text, field); }
ConsentKind parse_consent_kind(std::string_view text, const std::string& field) {
  return parse_in<ConsentKind>(consent_kind_table, text, field);
}
ConsentState parse_consent_state(std::string_view text, const std::string& field) {
  return parse_in<ConsentState>(consent_state_table, text, field);
}
Region parse_region(std::string_view text, const std::string& field) {
  return parse_in<Region>(region_table, text, field);
}
PlanStatus parse_plan_status(std::string_view text, const std::string& field) {
  return parse_in<PlanStatus>(plan_status_table, text, field);
}
AdverseEventKind parse_adverse_event_kind(std::string_view text, const std::string& field) {
  return parse_in<AdverseEventKind>(adverse_event_kind_table, text, field);
}
Severity parse_severity(std::string_view text, const std::string& field) {
  return parse_in<Severity>(severity_table, text, field);
}
JobKind parse_job_kind(std::string_view text, const std::string& field) {
  return parse_in<JobKind>(job_kind_table, text, field);
}
JobState parse_job_state(std::string_view text, const std::string& field) {
  return parse_in<JobState>(job_state_table, text, field);
}
AuditAction parse_audit_action(std::string_view text, const std::string& field) {
  return parse_in<AuditAction>(audit_action_table, text, field);
}

std::vector<std::string_view> region_names() { return names_of(region_table); }
std::vector<std::string_view> role_names() { return names_of(role_table); }
std::vector<std::string_view> adverse_event_kind_names() { return names_of(adverse_event_kind_table); }

std::string planning_region(Region region) {
  switch (region) {
    case Region::perioral: return "perioral";
    case Region::jawline: return "jawline";
    case Region::chest: return "chest";
    case Region::back: return "back";
    case Region::neck: return "";
    default: return "face";
  }
}

}  // namespace scarscope::clinic
