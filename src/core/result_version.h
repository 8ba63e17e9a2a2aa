// What made a result: every analysis, grade, plan, comparison and series JSON carries
// "scarscope": {"version": "0.1.0", "schema": N}, so that a stored result says which release
// wrote it and in which shape. Readers accept every schema up to the one they write (older results
// stay readable; a result written before versions were recorded counts as schema 0) and refuse a
// newer one with ErrorCode::unsupported, rather than misread it.
#pragma once
#include <nlohmann/json_fwd.hpp>
#include <string>

namespace scarscope {

enum class ResultKind { analysis, grades, plan, comparison, series };

// "analysis", "grades", "plan", "comparison", "series".
const char* result_kind_name(ResultKind kind);

struct ResultVersion {
  std::string version;  // the ScarScope release ("0.1.0"); empty for a result from before versions
  int schema = 0;       // the shape of this kind of result; 0 for a result from before versions
  bool operator==(const ResultVersion&) const = default;
};

// What a result records of the knowledge base it was made with: the file's name, its "version"
// and the SHA-256 of its canonical JSON. Never a path: a result must not depend on where it was made.
struct KnowledgeIdentity {
  std::string file;
  std::string version;
  std::string sha256;
  bool operator==(const KnowledgeIdentity&) const = default;
};

// The schema this build writes for a kind of result (and the newest it reads).
int current_schema(ResultKind kind);
// This build's version and the current schema of `kind`.
ResultVersion current_result_version(ResultKind kind);

// {"version": .., "schema": ..}
nlohmann::json result_version_json(const ResultVersion& version);
// Adds "scarscope": {"version", "schema"} (this build's) to a result document (an object).
void stamp_result(nlohmann::json& document, ResultKind kind);

// The "scarscope" object of a stored result; {"", 0} when it has none. Throws InputError:
// unsupported (field "scarscope.schema") for a schema newer than this build reads, wrong_type for
// a malformed object. `source` names the document in messages.
ResultVersion read_result_version(const nlohmann::json& document, ResultKind kind, const std::string& source);

}  // namespace scarscope
