// Rule family: which modality for which scar (planning classes, first-line choices by type,
// hypertrophic and macular scars, resurfacing after focal work, fillers after release).
#include <algorithm>

#include "planning/rules/rule_table.h"

namespace scarscope::planning_rules {

void scar_morphology(PlanContext& c) {
  const double deep_um = c.kb.threshold_min("deep_boxcar_min_depth_um");
  std::map<std::string, int> counts;
  int lower_bound_shallow = 0;
  int depth_unknown = 0;
  const auto boxcar_class = [&](const ScarView& view, bool depth_measured, double depth_um) -> std::string {
    if (!c.enabled("scar_morphology")) return "boxcar_deep";
    if (!depth_measured) {
      // No depth (a hand-made list): the stretch test decides; not flattening on stretch is the deep kind.
      ++depth_unknown;
      return view.distensible == false ? "boxcar_deep" : "boxcar_shallow";
    }
    return depth_um < deep_um ? "boxcar_shallow" : "boxcar_deep";
  };
  for (const Scar& scar : c.request.inventory.scars) {
    ScarView view;
    view.id = scar.id;
    view.diameter_mm = scar.diameter_mm;
    view.width_measured = scar.measured("diameter_mm");
    view.depth_um = scar.depth_um;
    view.centroid_mm = scar.centroid_mm;
    view.scan = scar.scan;
    view.distensible = c.request.clinician.stretch_flattens;
    if (const auto found = c.request.clinician.scars.find(scar.id); found != c.request.clinician.scars.end()) {
      if (found->second.remove) continue;
      if (found->second.stretch_flattens) view.distensible = found->second.stretch_flattens;
      view.tethered = found->second.tethered;
      view.normal_base = found->second.normal_base;
    }
    if (!scar.measured("centroid_mm")) view.listed = false;
    switch (scar.type) {
      case ScarType::ice_pick: view.scar_class = "ice_pick"; break;
      case ScarType::rolling: view.scar_class = "rolling"; break;
      case ScarType::hypertrophic: view.scar_class = "hypertrophic"; break;
      case ScarType::boxcar:
        view.scar_class = boxcar_class(view, scar.measured("depth_um"), scar.depth_um);
        if (scar.depth_is_lower_bound && scar.depth_um < deep_um) ++lower_bound_shallow;
        break;
    }
    ++counts[view.scar_class];
    c.present_classes.insert(view.scar_class);
    c.scars.push_back(view);
  }
  // Scars counted by hand but not listed: no id and no position, but they still need treatment.
  int next_unlisted = 0;
  for (const ScarType type : {ScarType::ice_pick, ScarType::boxcar, ScarType::rolling, ScarType::hypertrophic}) {
    for (int i = 0; i < c.request.inventory.unlisted.of(type); ++i) {
      ScarView view;
      view.id = -(++next_unlisted);
      view.listed = false;
      view.width_measured = false;
      view.distensible = c.request.clinician.stretch_flattens;
      view.scar_class = type == ScarType::ice_pick       ? "ice_pick"
                        : type == ScarType::rolling      ? "rolling"
                        : type == ScarType::hypertrophic ? "hypertrophic"
                                                         : boxcar_class(view, false, 0.0);
      ++counts[view.scar_class];
      c.present_classes.insert(view.scar_class);
      c.scars.push_back(view);
    }
  }
  if (depth_unknown > 0) {
    c.fire("scar_morphology", std::to_string(depth_unknown) +
                                  " boxcar scar(s) without a measured depth: deep if they do not flatten on stretching, else shallow");
  }
  if (c.request.clinician.macular_erythematous.value_or(0) > 0) c.present_classes.insert("macular_erythematous");
  if (c.request.clinician.macular_hyperpigmented.value_or(0) > 0) c.present_classes.insert("macular_hyperpigmented");
  if (!c.enabled("scar_morphology") || c.scars.empty()) return;
  std::vector<std::string> parts;
  for (const auto& [name, count] : counts) parts.push_back(std::to_string(count) + " " + name);
  c.fire("scar_morphology", join(parts, ", ") + " (boxcar deeper than " + format_number(deep_um) +
                                " um counts as deep; Jacob 2001)");
  if (lower_bound_shallow > 0) {
    c.fire("scar_morphology", std::to_string(lower_bound_shallow) +
                                  " boxcar scar(s) have a depth that is only a lower bound (floor not seen): they may be deeper");
  }
}

void first_line_by_type(PlanContext& c) {
  if (!c.enabled("first_line_by_type")) return;
  for (const ScarView& scar : c.scars) {
    if (scar.scar_class == "hypertrophic") continue;
    // Release of tethers: rolling scars, and boxcar scars the clinician found tethered.
    if (scar.scar_class == "rolling" || (scar.scar_class != "ice_pick" && scar.tethered == true)) {
      const std::string key = scar.scar_class == "rolling" ? "rolling" : scar.scar_class + "_tethered";
      if (const auto chosen = c.choose(c.first_line(key), scar, nullptr)) {
        c.assign(*chosen, c.kb.modality(*chosen).stage, scar.id);
        c.released.insert(scar.id);
      }
    }
    if (scar.scar_class == "ice_pick" || scar.scar_class == "boxcar_deep") {
      std::vector<std::string> why_not;
      if (const auto chosen = c.choose(c.first_line(scar.scar_class), scar, &why_not)) {
        c.assign(*chosen, c.kb.modality(*chosen).stage, scar.id);
        c.focal.insert(scar.id);
      } else {
        c.untreated_focal.push_back(scar.id);
        c.untreated_why[scar.id] = join(why_not, "; ");
      }
    }
  }
  std::vector<std::string> parts;
  for (const auto& a : c.assignments) parts.push_back(a.modality + " for scars " + id_list(a.scar_ids));
  if (!parts.empty()) c.fire("first_line_by_type", join(parts, "; "));
  if (!c.untreated_focal.empty()) {
    std::string detail;
    for (int id : c.untreated_focal) detail += " scar " + std::to_string(id) + " (" + c.untreated_why[id] + ")";
    c.warn("focal_scars_untreated", "No first-line focal modality (TCA CROSS or punch) is possible for scars " +
                                        id_list(c.untreated_focal) + ":" + detail + ".");
    c.fire("first_line_by_type", "no focal modality possible for scars " + id_list(c.untreated_focal));
  }
}

void hypertrophic_injections(PlanContext& c) {
  if (!c.enabled("hypertrophic_injections")) return;
  std::vector<int> ids;
  for (const ScarView& scar : c.scars) {
    if (scar.scar_class == "hypertrophic") ids.push_back(scar.id);
  }
  if (ids.empty()) return;
  std::vector<std::string> chosen;
  for (const auto& id : c.first_line("hypertrophic")) {
    if (c.blocked(id)) continue;
    for (int scar_id : ids) c.assign(id, "volume_reduction", scar_id);
    chosen.push_back(id);
  }
  if (chosen.empty()) {
    c.warn("hypertrophic_untreated", "No injectable or vascular modality is available for hypertrophic scars " + id_list(ids) + ".");
  }
  c.fire("hypertrophic_injections",
         "hypertrophic scars " + id_list(ids) + ": " + join(chosen, " + ") + " (TAC + 5-FU + PDL: good-to-excellent in " +
             format_number(c.kb.threshold_min("hypertrophic_good_excellent_tac_5fu_pdl_pct")) + "% vs " +
             format_number(c.kb.threshold_min("hypertrophic_good_excellent_tac_alone_pct")) + "% with TAC alone, Asilian 2006)");
}

void erythema_vascular(PlanContext& c) {
  if (!c.enabled("erythema_vascular")) return;
  const int erythematous = c.request.clinician.macular_erythematous.value_or(0);
  const int pigmented = c.request.clinician.macular_hyperpigmented.value_or(0);
  if (erythematous > 0) {
    for (const auto& id : c.first_line("macular_erythematous")) {
      if (c.blocked(id)) continue;
      auto& a = c.assign(id, c.assignment(id) ? c.assignment(id)->stage : c.kb.modality(id).stage, kNoScar);
      a.notes.push_back("also for " + std::to_string(erythematous) + " erythematous macular scars (clinician count)");
      c.fire("erythema_vascular", std::to_string(erythematous) + " erythematous macular scars: " + id);
      break;
    }
  }
  if (pigmented > 0) {
    for (const auto& id : c.first_line("macular_hyperpigmented")) {
      if (c.blocked(id)) continue;
      auto& a = c.assign(id, c.kb.modality(id).stage, kNoScar);
      a.notes.push_back("for " + std::to_string(pigmented) + " hyperpigmented macular scars (clinician count)");
      c.fire("erythema_vascular", std::to_string(pigmented) + " hyperpigmented macular scars: " + id);
      break;
    }
  }
}

void ice_pick_not_resurfacing_alone(PlanContext& c) {
  if (!c.enabled("combination_resurfacing") || !c.enabled("ice_pick_not_resurfacing_alone")) return;
  for (const ScarView& scar : c.scars) {
    if (scar.scar_class == "ice_pick" && !c.focal.count(scar.id)) c.ice_picks_left_out.push_back(scar.id);
  }
  if (c.ice_picks_left_out.empty()) return;
  c.fire("ice_pick_not_resurfacing_alone", "ice pick scars " + id_list(c.ice_picks_left_out) +
                                               " have no focal treatment: resurfacing is not proposed as their only treatment");
  c.warn("ice_pick_resurfacing_alone",
         "Resurfacing alone under-treats ice pick scars (Xu & Deng 2018): scars " + id_list(c.ice_picks_left_out) +
             " need TCA CROSS or punch excision, which this plan cannot include.");
}

void combination_resurfacing(PlanContext& c) {
  if (!c.enabled("combination_resurfacing")) return;
  const auto& preference = c.dark_skin() && c.enabled("fitzpatrick_dark") ? c.kb.resurfacing_preference_dark_skin
                                                                          : c.kb.resurfacing_preference;
  std::vector<int> targets;
  for (const ScarView& scar : c.scars) {
    if (!scar.atrophic()) continue;
    if (std::find(c.ice_picks_left_out.begin(), c.ice_picks_left_out.end(), scar.id) != c.ice_picks_left_out.end()) continue;
    targets.push_back(scar.id);
  }
  if (targets.empty()) return;
  // Resurfacing treats the field: pick the first preferred modality that suits the scars it targets.
  std::vector<std::string> why_not;
  for (const auto& id : preference) {
    if (c.blocked(id)) {
      why_not.push_back(id + ": " + c.blocks.at(id).reason);
      continue;
    }
    const Modality& modality = c.kb.modality(id);
    std::vector<int> suited;
    for (int scar_id : targets) {
      const ScarView& scar = c.view(scar_id);
      const std::string reason = scar.scar_class == "ice_pick" ? "" : c.unsuitable(modality, scar);
      if (reason.empty()) suited.push_back(scar_id);
    }
    if (suited.empty()) continue;
    for (int scar_id : suited) c.assign(id, modality.stage, scar_id);
    c.fire("combination_resurfacing", id + " for scars " + id_list(suited) +
                                          (c.focal.empty() && c.released.empty() ? "" : ", after the focal and release stages") +
                                          (why_not.empty() ? "" : " (not chosen: " + join(why_not, "; ") + ")"));
    return;
  }
  c.warn("no_resurfacing", "No resurfacing modality is possible for scars " + id_list(targets) + ": " + join(why_not, "; "));
}

void fillers_after_release(PlanContext& c) {
  if (!c.enabled("fillers_after_release")) return;
  std::vector<int> targets;
  for (const ScarView& scar : c.scars) {
    const bool candidate = scar.scar_class == "rolling" || (scar.atrophic() && scar.tethered == true);
    if (!candidate || scar.scar_class == "ice_pick") continue;
    if (!scar.is_distensible()) continue;
    targets.push_back(scar.id);
  }
  if (targets.empty()) return;
  for (const auto& id : c.kb.filler_preference) {
    if (c.blocked(id)) continue;
    std::vector<int> suited;
    for (int scar_id : targets) {
      if (c.unsuitable(c.kb.modality(id), c.view(scar_id)).empty()) suited.push_back(scar_id);
    }
    if (suited.empty()) continue;
    for (int scar_id : suited) c.assign(id, c.kb.modality(id).stage, scar_id);
    c.fire("fillers_after_release", id + " for what stays distensible of scars " + id_list(suited) +
                                        (c.released.empty() ? "" : " after subcision"));
    return;
  }
}

}  // namespace scarscope::planning_rules
