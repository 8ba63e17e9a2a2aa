#include "core/result_version.h"

#include "core/json_fields.h"

namespace scarscope {

const char* result_kind_name(ResultKind kind) {
  switch (kind) {
    case ResultKind::analysis: return "analysis";
    case ResultKind::grades: return "grades";
    case ResultKind::plan: return "plan";
    case ResultKind::comparison: return "comparison";
    case ResultKind::series: return "series";
  }
  return "result";
}

int current_schema(ResultKind kind) {
  // Raise a kind's number when its JSON changes shape (a field renamed, removed or given another
  // meaning), and teach its reader the older shape. Adding a field needs no new number.
  switch (kind) {
    case ResultKind::analysis: return 1;
    case ResultKind::grades: return 1;
    case ResultKind::plan: return 1;
    case ResultKind::comparison: return 1;
    case ResultKind::series: return 1;
  }
  return 1;
}

ResultVersion current_result_version(ResultKind kind) { return {SCARSCOPE_VERSION, current_schema(kind)}; }

nlohmann::json result_version_json(const ResultVersion& version) {
  return {{"version", version.version}, {"schema", version.schema}};
}

void stamp_result(nlohmann::json& document, ResultKind kind) {
  document["scarscope"] = result_version_json(current_result_version(kind));
}

ResultVersion read_result_version(const nlohmann::json& document, ResultKind kind, const std::string& source) {
  const JsonField root(document, source);
  root.expect_object();
  const auto stamp = root.optional("scarscope");
  if (!stamp) return {};
  stamp->expect_object("expected {\"version\": ..., \"schema\": ...}");
  ResultVersion version;
  version.version = stamp->required("version").text();
  const JsonField schema = stamp->required("schema");
  version.schema = static_cast<int>(schema.integer_between(0, 1000000));
  if (version.schema > current_schema(kind)) {
    schema.fail(ErrorCode::unsupported,
                std::string("this ") + result_kind_name(kind) + " was written by ScarScope " + version.version +
                    " in schema " + std::to_string(version.schema) + "; this build (" + SCARSCOPE_VERSION +
                    ") reads schema " + std::to_string(current_schema(kind)) + " and older: upgrade ScarScope to read it");
  }
  return version;
}

}  // namespace scarscope
