// Reading JSON into records: every problem names the document and the field's path, with a code a
// server maps to a status without reading the message.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/json_fields.h"
#include "core/result_version.h"
#include "test_support.h"

namespace scarscope {
namespace {

using nlohmann::json;

InputError error_of(const std::function<void()>& read) {
  try {
    read();
  } catch (const InputError& error) {
    return error;
  }
  ADD_FAILURE() << "no InputError";
  return InputError("none");
}

TEST(JsonField, ErrorsNameTheDocumentThePathAndTheKindOfProblem) {
  const json document = json::parse(R"({"scars": [{"id": 1, "type": 7}], "counts": {"boxcar": -2}, "extra": 1})");
  const JsonField root(document, "visit.json");

  const InputError wrong = error_of([&] { root.required("scars").elements()[0].required("type").text(); });
  EXPECT_EQ(std::string(wrong.what()), "visit.json: scars[0].type: expected a string, found number");
  EXPECT_EQ(wrong.code(), ErrorCode::wrong_type);
  EXPECT_EQ(wrong.field(), "scars[0].type");

  const InputError missing = error_of([&] { root.required("scars").elements()[0].required("depth_um"); });
  EXPECT_EQ(missing.code(), ErrorCode::missing_field);
  EXPECT_EQ(missing.field(), "scars[0].depth_um");

  const InputError negative = error_of([&] { root.required("counts").required("boxcar").count(); });
  EXPECT_EQ(negative.code(), ErrorCode::out_of_range);
  EXPECT_NE(std::string(negative.what()).find("counts.boxcar: -2 is negative"), std::string::npos);

  const InputError unknown = error_of([&] { root.reject_unknown({"scars", "counts"}); });
  EXPECT_EQ(unknown.code(), ErrorCode::unknown_field);
  EXPECT_EQ(unknown.field(), "extra");
  EXPECT_NE(std::string(unknown.what()).find("known: scars, counts"), std::string::npos);

  EXPECT_EQ(error_of([&] { JsonField(json(1.5), "x").integer_between(0, 10); }).code(), ErrorCode::wrong_type);
  EXPECT_EQ(error_of([&] { JsonField(json(11), "x").integer_between(0, 10); }).code(), ErrorCode::out_of_range);
  EXPECT_EQ(JsonField(json(2.0), "x").integer_between(0, 10), 2);
}

TEST(JsonField, FilesThatAreMissingOrNotJsonAreNamed) {
  test::TempDir dir;
  const InputError absent = error_of([&] { read_json_file(dir / "absent.json"); });
  EXPECT_EQ(absent.code(), ErrorCode::not_found);
  EXPECT_NE(std::string(absent.what()).find("absent.json: no such file"), std::string::npos);
  test::write_text_file(dir / "broken.json", "{\"a\": [1, 2");
  const InputError broken = error_of([&] { read_json_file(dir / "broken.json"); });
  EXPECT_EQ(broken.code(), ErrorCode::bad_format);
  EXPECT_EQ(broken.field().rfind("byte ", 0), 0u) << broken.field();
  EXPECT_EQ(error_of([&] { parse_json_text("[1,", "request body"); }).code(), ErrorCode::bad_format);
}

TEST(JsonField, TheCanonicalFormIgnoresKeyOrderAndSpacing) {
  EXPECT_EQ(canonical_json(json::parse(R"({"b": 1, "a": [1.5, "x"]})")), canonical_json(json::parse("{\"a\":[1.5,\"x\"],\"b\":1}")));
  EXPECT_NE(canonical_json(json::parse(R"({"a": 1})")), canonical_json(json::parse(R"({"a": 2})")));
}

TEST(ResultVersion, ResultsSayWhatMadeThemAndNewerOnesAreRefused) {
  json document = json::object();
  stamp_result(document, ResultKind::analysis);
  EXPECT_EQ(document["scarscope"]["version"], SCARSCOPE_VERSION);
  EXPECT_EQ(document["scarscope"]["schema"], current_schema(ResultKind::analysis));
  EXPECT_EQ(read_result_version(document, ResultKind::analysis, "a.json"), current_result_version(ResultKind::analysis));

  // A result from before versions were recorded is schema 0, and read.
  EXPECT_EQ(read_result_version(json::object(), ResultKind::plan, "old.json").schema, 0);

  document["scarscope"]["schema"] = current_schema(ResultKind::analysis) + 1;
  const InputError newer = error_of([&] { read_result_version(document, ResultKind::analysis, "future.json"); });
  EXPECT_EQ(newer.code(), ErrorCode::unsupported);
  EXPECT_EQ(newer.field(), "scarscope.schema");
  EXPECT_NE(std::string(newer.what()).find("future.json: scarscope.schema"), std::string::npos) << newer.what();

  document["scarscope"] = "0.1.0";
  EXPECT_EQ(error_of([&] { read_result_version(document, ResultKind::analysis, "odd.json"); }).code(), ErrorCode::wrong_type);
}

}  // namespace
}  // namespace scarscope
