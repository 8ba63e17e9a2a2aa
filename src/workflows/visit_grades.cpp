#include "workflows/visit_grades.h"

#include <nlohmann/json.hpp>

#include "core/json_fields.h"
#include "workflows/workflow_guard.h"

namespace scarscope {

using nlohmann::json;
using workflow_detail::guarded;

ScarInventory visit_inventory(const std::vector<ScarInventory>& parts) {
  if (parts.empty()) throw InputError("a visit needs at least one scar inventory", ErrorCode::missing_field, "assessments");
  return parts.size() == 1 ? parts.front() : merge_inventories(parts);
}

VisitGrades grade_visit(const std::vector<ScarInventory>& parts, const std::optional<ClinicianInputs>& clinician,
                        const Knowledge& knowledge) {
  return guarded("grades", [&] {
    VisitGrades result;
    result.made_by = current_result_version(ResultKind::grades);
    result.inventory = visit_inventory(parts);
    result.merged = parts.size() > 1;
    if (result.merged) {
      for (const Scar& scar : result.inventory.scars) result.merged_ids.push_back({scar.id, scar.scan, scar.scan_scar_id});
    }
    result.clinician = clinician;
    result.grades = grade_inventory(result.inventory, clinician ? &*clinician : nullptr, knowledge.grading);
    return result;
  });
}

json to_json(const VisitGrades& grades) {
  const ScarInventory& inventory = grades.inventory;
  json document = {{"scans", inventory.scans},
                   {"coverage_cm2", inventory.hand_count ? json(nullptr) : json(inventory.coverage_cm2)},
                   {"counts", counts_to_json(inventory.counts())},
                   {"grades", grades_to_json(grades.grades)}};
  if (grades.merged) {
    json ids = json::array();
    for (const MergedScarId& scar : grades.merged_ids) {
      ids.push_back({{"id", scar.id}, {"scan", scar.scan}, {"scan_scar_id", scar.scan_scar_id}});
    }
    document["merged_ids"] = std::move(ids);
  }
  if (grades.clinician) document["clinician_inputs"] = clinician_inputs_to_json(*grades.clinician);
  document["scarscope"] = result_version_json(grades.made_by);
  return document;
}

VisitGrades visit_grades_from_json(const json& document, const std::string& source) {
  return guarded(source, [&] {
    const JsonField root(document, source);
    root.expect_object("expected a grades JSON object");
    VisitGrades result;
    result.made_by = read_result_version(document, ResultKind::grades, source);
    result.inventory.scans = root.required("scans").texts();
    const JsonField coverage = root.member("coverage_cm2");
    result.inventory.hand_count = coverage.is_null();
    if (!coverage.is_null()) result.inventory.coverage_cm2 = coverage.number();
    const JsonField counts = root.required("counts");
    for (const ScarType type : all_scar_types()) result.inventory.unlisted.of(type) = counts.required(scar_type_name(type)).count();
    if (const auto merged = root.optional("merged_ids")) {
      result.merged = true;
      for (const JsonField& entry : merged->elements()) {
        MergedScarId scar;
        scar.id = static_cast<int>(entry.required("id").integer_between(0, 1000000000));
        scar.scan = entry.required("scan").text();
        scar.scan_scar_id = static_cast<int>(entry.required("scan_scar_id").integer_between(0, 1000000000));
        result.merged_ids.push_back(std::move(scar));
      }
    }
    result.grades = grades_from_json(root.required("grades").value(), source, "grades");
    if (const auto inputs = root.optional("clinician_inputs")) {
      result.clinician = clinician_inputs_from_json(inputs->value(), source.empty() ? "clinician_inputs" : source + ": clinician_inputs");
    }
    return result;
  });
}

}  // namespace scarscope
