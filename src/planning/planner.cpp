#include "planning/planner.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <sstream>

#include "core/error.h"

namespace scarscope {
namespace {

const std::vector<std::string> kRuleIds = {
    "scar_morphology", "bdd_screen",       "active_infection",  "active_cold_sore",  "pregnancy",
    "active_acne",     "capabilities",     "keloid",            "fitzpatrick_dark",  "downtime_limit",
    "isotretinoin",    "first_line_by_type", "hypertrophic_injections", "erythema_vascular",
    "combination_resurfacing", "ice_pick_not_resurfacing_alone", "fillers_after_release", "anticoagulants",
    "hsv_prophylaxis", "staging_order",    "punch_spacing",     "session_intervals", "expectations",
    "distress_mismatch", "status_precedence"};

const std::vector<std::string> kRegions = {"face", "perioral", "jawline", "chest", "back"};

std::string format_number(double value) {
  char buffer[32];
  if (std::abs(value - std::round(value)) < 1e-9) {
    std::snprintf(buffer, sizeof buffer, "%.0f", value);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.1f", value);
  }
  return buffer;
}

std::string format_range(const NumericRange& range) {
  if (range.min == range.max) return format_number(range.min);
  return format_number(range.min) + "-" + format_number(range.max);
}

std::string join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? separator : "") + parts[i];
  return out;
}

// Scars counted by hand but not listed carry negative ids inside the planner; they are never shown as ids.
constexpr int kNoScar = std::numeric_limits<int>::min();

std::vector<int> listed_ids(const std::vector<int>& ids) {
  std::vector<int> out;
  for (int id : ids) {
    if (id >= 0) out.push_back(id);
  }
  return out;
}

std::string id_list(const std::vector<int>& ids) {
  std::vector<std::string> parts;
  int unlisted = 0;
  for (int id : ids) {
    if (id >= 0) parts.push_back(std::to_string(id));
    else ++unlisted;
  }
  if (unlisted > 0) parts.push_back(std::to_string(unlisted) + " unlisted (hand-counted)");
  return join(parts, ", ");
}

// One entry per citation; it counts as confirmed only if every number it supports is.
void add_evidence(std::vector<Evidence>& into, const std::vector<Evidence>& more) {
  for (const auto& evidence : more) {
    const auto same = std::find_if(into.begin(), into.end(), [&](const Evidence& e) { return e.citation == evidence.citation; });
    if (same == into.end()) {
      into.push_back(evidence);
    } else {
      same->confirmed = same->confirmed && evidence.confirmed;
    }
  }
}

std::string without_final_period(std::string text) {
  while (!text.empty() && (text.back() == '.' || text.back() == ' ')) text.pop_back();
  return text;
}

// A scar as the planner sees it: its planning class and what the clinician said about it.
struct ScarView {
  int id = 0;
  std::string scar_class;  // ice_pick | boxcar_deep | boxcar_shallow | rolling | hypertrophic
  double diameter_mm = 0.0;
  double depth_um = 0.0;
  std::array<double, 2> centroid_mm{0.0, 0.0};
  std::string scan;
  std::optional<bool> distensible, tethered, normal_base;
  bool width_measured = true;
  bool listed = true;  // false for scars a clinician counted by hand without listing them (no id, no position)
  bool atrophic() const { return scar_class != "hypertrophic"; }
  bool is_tethered() const { return tethered.value_or(scar_class == "rolling"); }
  bool is_distensible() const {
    return distensible.value_or(scar_class == "rolling" || scar_class == "boxcar_shallow");
  }
};

struct Assignment {
  std::string modality;
  std::string stage;
  std::vector<int> scar_ids;
  std::vector<std::string> notes;
};

class Planner {
 public:
  Planner(const PlanRequest& request, const KnowledgeBase& kb) : request_(request), kb_(kb) {}

  Plan run() {
    plan_.region = request_.region;
    plan_.date = request_.date;
    plan_.basis = request_.basis;
    plan_.kb_version = kb_.version;
    plan_.clinic = kb_.clinic_name;
    plan_.severity = request_.severity;
    classify_scars();
    bdd_screen();
    temporary_contraindications();
    active_acne();
    capabilities();
    keloid();
    fitzpatrick_dark();
    downtime_limit();
    isotretinoin();
    first_line_by_type();
    hypertrophic_injections();
    macular_scars();
    combination_resurfacing();
    fillers_after_release();
    anticoagulants();
    hsv_prophylaxis();
    keloid_flags_after_selection();
    fitzpatrick_notes_after_selection();
    isotretinoin_after_selection();
    build_stages();
    schedule();
    expectations();
    distress_mismatch();
    decide_status();
    excluded_for_output();
    return plan_;
  }

 private:
  bool enabled(const std::string& rule) const { return !request_.disabled_rules.count(rule); }

  void fire(const std::string& rule, const std::string& why) {
    for (auto& fired : plan_.rules_fired) {
      if (fired.id == rule) {
        if (std::find(fired.why.begin(), fired.why.end(), why) == fired.why.end()) fired.why.push_back(why);
        return;
      }
    }
    const RuleInfo& info = kb_.rule(rule);
    plan_.rules_fired.push_back({rule, info.title, {why}, info.evidence});
  }

  void warn(const std::string& id, const std::string& text) {
    for (const auto& warning : plan_.warnings) {
      if (warning.id == id) return;
    }
    plan_.warnings.push_back({id, text});
  }

  void vote(PlanStatus status, const std::string& reason) {
    votes_.push_back(status);
    if (!reason.empty() && std::find(plan_.reasons.begin(), plan_.reasons.end(), reason) == plan_.reasons.end()) {
      plan_.reasons.push_back(reason);
    }
  }

  void exclude(const std::string& modality, const std::string& reason, const std::string& rule) {
    if (!kb_.modalities.count(modality)) return;
    if (!blocked_.count(modality)) {
      blocked_[modality] = {modality, reason, rule};
      blocked_order_.push_back(modality);
    }
  }
  bool blocked(const std::string& modality) const { return blocked_.count(modality) > 0; }

  void refer(const std::string& referral) {
    if (std::find(plan_.referrals.begin(), plan_.referrals.end(), referral) == plan_.referrals.end()) {
      plan_.referrals.push_back(referral);
    }
  }

  // Why `modality` cannot treat `scar` by its own requirements (empty when it can).
  std::string unsuitable(const Modality& modality, const ScarView& scar) const {
    const auto& req = modality.requirements;
    if (std::find(modality.treats.begin(), modality.treats.end(), scar.scar_class) == modality.treats.end()) {
      return modality.id + " does not treat " + scar.scar_class;
    }
    if (std::find(req.never_for.begin(), req.never_for.end(), scar.scar_class) != req.never_for.end()) {
      return modality.id + " is never for " + scar.scar_class + " scars";
    }
    if (!req.only_for.empty() && std::find(req.only_for.begin(), req.only_for.end(), scar.scar_class) == req.only_for.end()) {
      return modality.id + " is only for " + join(req.only_for, ", ");
    }
    for (const std::string& key : {scar.scar_class, std::string("*")}) {
      const auto limit = req.max_diameter_mm.find(key);
      if (limit != req.max_diameter_mm.end() && limit->second.value && scar.width_measured &&
          scar.diameter_mm > limit->second.value->max) {
        return modality.id + " needs a scar <= " + format_number(limit->second.value->max) + " mm wide (scar " +
               std::to_string(scar.id) + " is " + format_number(scar.diameter_mm) + " mm)";
      }
    }
    if (req.normal_base && scar.normal_base != true) {
      return modality.id + " needs a normal-looking base (clinician input normal_base: " +
             (scar.normal_base ? "false" : "not given") + ")";
    }
    if (req.distensible_or_tethered && !scar.is_distensible() && !scar.is_tethered()) {
      return modality.id + " needs a distensible or tethered scar";
    }
    return "";
  }

  Assignment& assign(const std::string& modality, const std::string& stage, int scar_id) {
    for (auto& assignment : assignments_) {
      if (assignment.modality == modality) {
        if (scar_id != kNoScar && std::find(assignment.scar_ids.begin(), assignment.scar_ids.end(), scar_id) ==
                               assignment.scar_ids.end()) {
          assignment.scar_ids.push_back(scar_id);
        }
        return assignment;
      }
    }
    assignments_.push_back({modality, stage, {}, {}});
    if (scar_id != kNoScar) assignments_.back().scar_ids.push_back(scar_id);
    return assignments_.back();
  }
  const Assignment* assignment(const std::string& modality) const {
    for (const auto& a : assignments_) {
      if (a.modality == modality) return &a;
    }
    return nullptr;
  }

  bool dark_skin() const { return request_.patient.fitzpatrick >= kb_.threshold_min("dark_skin_min_fitzpatrick"); }
  bool keloid_prone_region() const {
    return std::find(kb_.keloid_prone_regions.begin(), kb_.keloid_prone_regions.end(), request_.region) !=
           kb_.keloid_prone_regions.end();
  }
  bool perioral_region() const {
    return std::find(kb_.perioral_regions.begin(), kb_.perioral_regions.end(), request_.region) !=
           kb_.perioral_regions.end();
  }

  // --- rules, in the order they run -------------------------------------------------------------

  void classify_scars() {
    const double deep_um = kb_.threshold_min("deep_boxcar_min_depth_um");
    std::map<std::string, int> counts;
    int lower_bound_shallow = 0;
    int depth_unknown = 0;
    const auto boxcar_class = [&](const ScarView& view, bool depth_measured, double depth_um) -> std::string {
      if (!enabled("scar_morphology")) return "boxcar_deep";
      if (!depth_measured) {
        // No depth (a hand-made list): the stretch test decides; not flattening on stretch is the deep kind.
        ++depth_unknown;
        return view.distensible == false ? "boxcar_deep" : "boxcar_shallow";
      }
      return depth_um < deep_um ? "boxcar_shallow" : "boxcar_deep";
    };
    for (const Scar& scar : request_.inventory.scars) {
      ScarView view;
      view.id = scar.id;
      view.diameter_mm = scar.diameter_mm;
      view.width_measured = scar.measured("diameter_mm");
      view.depth_um = scar.depth_um;
      view.centroid_mm = scar.centroid_mm;
      view.scan = scar.scan;
      view.distensible = request_.clinician.stretch_flattens;
      if (const auto found = request_.clinician.scars.find(scar.id); found != request_.clinician.scars.end()) {
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
      present_classes_.insert(view.scar_class);
      scars_.push_back(view);
    }
    // Scars counted by hand but not listed: no id and no position, but they still need treatment.
    int next_unlisted = 0;
    for (const ScarType type : {ScarType::ice_pick, ScarType::boxcar, ScarType::rolling, ScarType::hypertrophic}) {
      for (int i = 0; i < request_.inventory.unlisted.of(type); ++i) {
        ScarView view;
        view.id = -(++next_unlisted);
        view.listed = false;
        view.width_measured = false;
        view.distensible = request_.clinician.stretch_flattens;
        view.scar_class = type == ScarType::ice_pick ? "ice_pick"
                          : type == ScarType::rolling ? "rolling"
                          : type == ScarType::hypertrophic ? "hypertrophic"
                                                           : boxcar_class(view, false, 0.0);
        ++counts[view.scar_class];
        present_classes_.insert(view.scar_class);
        scars_.push_back(view);
      }
    }
    if (depth_unknown > 0) {
      fire("scar_morphology", std::to_string(depth_unknown) +
                                  " boxcar scar(s) without a measured depth: deep if they do not flatten on stretching, else shallow");
    }
    if (request_.clinician.macular_erythematous.value_or(0) > 0) present_classes_.insert("macular_erythematous");
    if (request_.clinician.macular_hyperpigmented.value_or(0) > 0) present_classes_.insert("macular_hyperpigmented");
    if (!enabled("scar_morphology") || scars_.empty()) return;
    std::vector<std::string> parts;
    for (const auto& [name, count] : counts) parts.push_back(std::to_string(count) + " " + name);
    fire("scar_morphology", join(parts, ", ") + " (boxcar deeper than " + format_number(deep_um) +
                                " um counts as deep; Jacob 2001)");
    if (lower_bound_shallow > 0) {
      fire("scar_morphology", std::to_string(lower_bound_shallow) +
                                  " boxcar scar(s) have a depth that is only a lower bound (floor not seen): they may be deeper");
    }
  }

  void bdd_screen() {
    if (!enabled("bdd_screen") || !request_.patient.bdd_screen_positive) return;
    refer_ = true;
    refer("psychological_counselling");
    vote(PlanStatus::refer, "positive body-dysmorphic disorder screen: refer to psychological counselling before any procedure");
    fire("bdd_screen", "bdd_screen_positive is true: no procedures are planned; refer to a clinical psychologist or psychiatrist");
    warn("bdd_screen_positive",
         "Positive body-dysmorphic screen (BDDQ-DV: sensitivity 100%, specificity 93%, Dufresne 2001): patients with BDD are "
         "often dissatisfied after procedures. Refer for psychological assessment; no procedures are proposed.");
  }

  void temporary_contraindications() {
    const PatientProfile& p = request_.patient;
    if (enabled("active_infection") && p.active_skin_infection) {
      defer_reasons_.push_back("active skin infection");
      defer_rules_.push_back("active_infection");
      vote(PlanStatus::defer, "active skin infection: defer procedures until it has cleared");
      fire("active_infection", "active_skin_infection is true: procedures are deferred until it has cleared");
    }
    if (enabled("active_cold_sore") && p.active_cold_sore) {
      defer_reasons_.push_back("active cold sore");
      defer_rules_.push_back("active_cold_sore");
      vote(PlanStatus::defer, "active cold sore: reschedule procedures once it has healed");
      fire("active_cold_sore", "active_cold_sore is true: reschedule (Gilbert & McBurney 2000)");
    }
    if (enabled("pregnancy") && p.pregnant_or_breastfeeding) {
      defer_reasons_.push_back("pregnancy or breastfeeding");
      defer_rules_.push_back("pregnancy");
      vote(PlanStatus::defer, "pregnancy or breastfeeding: defer elective scar procedures");
      fire("pregnancy", "pregnant_or_breastfeeding is true: elective procedures deferred; no retinoid priming (UNCONFIRMED, "
                        "common practice; clinician sign-off required)");
      warn("no_retinoid_priming", "Pregnancy or breastfeeding: no retinoid (tretinoin) priming; retinoids are teratogenic.");
    }
  }

  void active_acne() {
    if (!enabled("active_acne")) return;
    switch (request_.patient.active_acne) {
      case AcneActivity::none: return;
      case AcneActivity::severe:
        acne_stage_ = true;
        defer_reasons_.push_back("severe (nodulocystic) active acne");
        defer_rules_.push_back("active_acne");
        vote(PlanStatus::defer, "severe active acne: treat the acne first, scar procedures later");
        fire("active_acne", "active_acne is severe: acne treatment first, scar procedures deferred");
        return;
      case AcneActivity::moderate:
        acne_stage_ = true;
        vote(PlanStatus::plan, "");
        fire("active_acne", "active_acne is moderate: acne treatment is the first stage, procedures after");
        warn("active_acne_sources_disagree",
             "Moderate active acne: traditional teaching is to control acne before any scar procedure, while the 2022 "
             "international consensus (Salameh et al.) accepts some energy-based treatment alongside acne therapy. "
             "This plan puts acne treatment first.");
        return;
      case AcneActivity::mild:
        fire("active_acne", "active_acne is mild: a warning, not a block");
        warn("mild_active_acne",
             "Mild active acne: non-ablative and vascular treatments may go ahead with care; keep treating the acne, "
             "since uncontrolled inflammation makes new scars (Dreno 2018). Microneedling over active lesions is best avoided.");
        return;
    }
  }

  void capabilities() {
    if (!enabled("capabilities")) return;
    std::optional<std::set<std::string>> offered = kb_.clinic_modalities;
    if (request_.patient.available_modalities) {
      std::set<std::string> patient_list;
      for (const auto& id : *request_.patient.available_modalities) {
        if (!kb_.modalities.count(id)) {
          throw InputError("patient profile: available_modalities: unknown modality \"" + id + "\"");
        }
        patient_list.insert(id);
      }
      if (offered) {
        std::set<std::string> both;
        for (const auto& id : patient_list) {
          if (offered->count(id)) both.insert(id);
        }
        offered = both;
      } else {
        offered = patient_list;
      }
    }
    if (!offered) return;
    int count = 0;
    for (const auto& [id, modality] : kb_.modalities) {
      if (!modality.procedure || offered->count(id)) continue;
      exclude(id, "not offered (available_modalities)", "capabilities");
      ++count;
    }
    if (count > 0) fire("capabilities", std::to_string(offered->size()) + " modalities offered; the others are not planned");
  }

  void keloid() {
    if (!enabled("keloid")) return;
    const bool history = request_.patient.keloid_history;
    const bool region = keloid_prone_region();
    if (!history && !region) return;
    const std::string why = history ? "keloid history" : "keloid-prone region (" + request_.region + ")";
    for (const auto& [id, modality] : kb_.modalities) {
      if (modality.has_tag("excisional")) exclude(id, why + ": no excisional work (keloids recur after excision in 19-45%)", "keloid");
      else if (modality.has_tag("ablative")) exclude(id, why + ": no ablative work", "keloid");
      else if (modality.has_tag("dermabrasion")) exclude(id, why + ": no dermabrasion", "keloid");
      else if (modality.has_tag("medium_deep_peel")) exclude(id, why + ": no medium or deep peels", "keloid");
    }
    fire("keloid", why + ": excisional, ablative, dermabrasion and medium/deep peel modalities excluded");
    keloid_active_ = true;
    keloid_why_ = why;
  }

  void fitzpatrick_dark() {
    if (!enabled("fitzpatrick_dark") || !dark_skin()) return;
    std::vector<std::string> excluded;
    for (const auto& [id, modality] : kb_.modalities) {
      if (modality.fitzpatrick && modality.fitzpatrick->action == "exclude") {
        exclude(id, "Fitzpatrick " + std::to_string(request_.patient.fitzpatrick) + ": " + modality.fitzpatrick->text,
                "fitzpatrick_dark");
        excluded.push_back(id);
      }
    }
    fire("fitzpatrick_dark", "Fitzpatrick " + std::to_string(request_.patient.fitzpatrick) + ": " + join(excluded, ", ") +
                                 " excluded; darker-skin resurfacing order used (microneedling, RF first)");
  }

  void downtime_limit() {
    if (!enabled("downtime_limit") || !request_.patient.max_downtime_days) return;
    const double limit = *request_.patient.max_downtime_days;
    int count = 0;
    for (const auto& [id, modality] : kb_.modalities) {
      if (!modality.procedure) continue;
      if (!modality.downtime_days.value) {
        exclude(id, "downtime not known from the sources; the patient's limit is " + format_number(limit) + " days",
                "downtime_limit");
        ++count;
      } else if (modality.downtime_days.value->min > limit) {
        exclude(id, "downtime " + format_range(*modality.downtime_days.value) + " days exceeds the patient's limit of " +
                        format_number(limit) + " days",
                "downtime_limit");
        ++count;
      }
    }
    if (count > 0) fire("downtime_limit", "max_downtime_days " + format_number(limit) + ": " + std::to_string(count) +
                                              " modalities with longer downtime excluded");
  }

  void isotretinoin() {
    if (!enabled("isotretinoin")) return;
    const PatientProfile& p = request_.patient;
    if (p.isotretinoin == IsotretinoinStatus::never) return;
    bool as_current = p.isotretinoin == IsotretinoinStatus::current;
    if (p.isotretinoin == IsotretinoinStatus::stopped && !p.isotretinoin_stopped_on) {
      as_current = true;
      warn("isotretinoin_stop_date_missing",
           "Isotretinoin stopped, but the date is not given: treated as current. Give isotretinoin.stopped_on to "
           "schedule the modalities that need a waiting period.");
    }
    isotretinoin_recent_ = as_current;
    for (const auto& [id, modality] : kb_.modalities) {
      const auto& wait = modality.isotretinoin.wait_months;
      if (!wait.value || wait.value->max <= 0) continue;
      const int months = static_cast<int>(std::ceil(wait.value->max));
      if (as_current) {
        exclude(id, "isotretinoin current: not until " + std::to_string(months) + " months after the last dose (" +
                        join_citations(wait.evidence) + ")",
                "isotretinoin");
      } else {
        const CalendarDate earliest = p.isotretinoin_stopped_on->plus_months(months);
        if (earliest > request_.date) not_before_[id] = earliest;
      }
    }
    if (!as_current) {
      const CalendarDate conservative =
          p.isotretinoin_stopped_on->plus_months(static_cast<int>(kb_.threshold_max("isotretinoin_conservative_wait_months")));
      isotretinoin_recent_ = request_.date < conservative;
    }
    fire("isotretinoin", std::string("isotretinoin ") + (as_current ? "current (or no stop date)" : "stopped on " +
                         p.isotretinoin_stopped_on->to_string()) +
                             ": per-modality waiting periods applied (no flat 6-12 month block)");
  }

  static std::string join_citations(const std::vector<Evidence>& evidence) {
    std::vector<std::string> names;
    for (const auto& e : evidence) names.push_back(short_citation(e.citation));
    return join(names, "; ");
  }
  static std::string short_citation(const std::string& citation) {
    const auto dot = citation.find('.');
    return dot == std::string::npos ? citation : citation.substr(0, dot);
  }

  std::optional<std::string> choose(const std::vector<std::string>& preferences, const ScarView& scar,
                                    std::vector<std::string>* why_not) const {
    for (const auto& id : preferences) {
      const Modality& modality = kb_.modality(id);
      if (blocked(id)) {
        if (why_not) why_not->push_back(id + ": " + blocked_.at(id).reason);
        continue;
      }
      const std::string reason = unsuitable(modality, scar);
      if (!reason.empty()) {
        if (why_not) why_not->push_back(reason);
        continue;
      }
      return id;
    }
    return std::nullopt;
  }

  const std::vector<std::string>& first_line(const std::string& key) const {
    static const std::vector<std::string> none;
    const auto found = kb_.first_line.find(key);
    return found == kb_.first_line.end() ? none : found->second;
  }

  void first_line_by_type() {
    if (!enabled("first_line_by_type")) return;
    for (const ScarView& scar : scars_) {
      if (scar.scar_class == "hypertrophic") continue;
      // Release of tethers: rolling scars, and boxcar scars the clinician found tethered.
      if (scar.scar_class == "rolling" || (scar.scar_class != "ice_pick" && scar.tethered == true)) {
        const std::string key = scar.scar_class == "rolling" ? "rolling" : scar.scar_class + "_tethered";
        if (const auto chosen = choose(first_line(key), scar, nullptr)) {
          assign(*chosen, kb_.modality(*chosen).stage, scar.id);
          released_.insert(scar.id);
        }
      }
      if (scar.scar_class == "ice_pick" || scar.scar_class == "boxcar_deep") {
        std::vector<std::string> why_not;
        if (const auto chosen = choose(first_line(scar.scar_class), scar, &why_not)) {
          assign(*chosen, kb_.modality(*chosen).stage, scar.id);
          focal_.insert(scar.id);
        } else {
          untreated_focal_.push_back(scar.id);
          untreated_why_[scar.id] = join(why_not, "; ");
        }
      }
    }
    std::vector<std::string> parts;
    for (const auto& a : assignments_) parts.push_back(a.modality + " for scars " + id_list(a.scar_ids));
    if (!parts.empty()) fire("first_line_by_type", join(parts, "; "));
    if (!untreated_focal_.empty()) {
      std::string detail;
      for (int id : untreated_focal_) detail += " scar " + std::to_string(id) + " (" + untreated_why_[id] + ")";
      warn("focal_scars_untreated", "No first-line focal modality (TCA CROSS or punch) is possible for scars " +
                                        id_list(untreated_focal_) + ":" + detail + ".");
      fire("first_line_by_type", "no focal modality possible for scars " + id_list(untreated_focal_));
    }
  }

  void hypertrophic_injections() {
    if (!enabled("hypertrophic_injections")) return;
    std::vector<int> ids;
    for (const ScarView& scar : scars_) {
      if (scar.scar_class == "hypertrophic") ids.push_back(scar.id);
    }
    if (ids.empty()) return;
    std::vector<std::string> chosen;
    for (const auto& id : first_line("hypertrophic")) {
      if (blocked(id)) continue;
      for (int scar_id : ids) assign(id, "volume_reduction", scar_id);
      chosen.push_back(id);
    }
    if (chosen.empty()) {
      warn("hypertrophic_untreated", "No injectable or vascular modality is available for hypertrophic scars " + id_list(ids) + ".");
    }
    fire("hypertrophic_injections", "hypertrophic scars " + id_list(ids) + ": " + join(chosen, " + ") +
                                        " (TAC + 5-FU + PDL: good-to-excellent in 70% vs 15% with TAC alone, Asilian 2006)");
  }

  void macular_scars() {
    if (!enabled("erythema_vascular")) return;
    const int erythematous = request_.clinician.macular_erythematous.value_or(0);
    const int pigmented = request_.clinician.macular_hyperpigmented.value_or(0);
    if (erythematous > 0) {
      for (const auto& id : first_line("macular_erythematous")) {
        if (blocked(id)) continue;
        auto& a = assign(id, assignment(id) ? assignment(id)->stage : kb_.modality(id).stage, kNoScar);
        a.notes.push_back("also for " + std::to_string(erythematous) + " erythematous macular scars (clinician count)");
        fire("erythema_vascular", std::to_string(erythematous) + " erythematous macular scars: " + id);
        break;
      }
    }
    if (pigmented > 0) {
      for (const auto& id : first_line("macular_hyperpigmented")) {
        if (blocked(id)) continue;
        auto& a = assign(id, kb_.modality(id).stage, kNoScar);
        a.notes.push_back("for " + std::to_string(pigmented) + " hyperpigmented macular scars (clinician count)");
        fire("erythema_vascular", std::to_string(pigmented) + " hyperpigmented macular scars: " + id);
        break;
      }
    }
  }

  void combination_resurfacing() {
    if (!enabled("combination_resurfacing")) return;
    const auto& preference = dark_skin() && enabled("fitzpatrick_dark") ? kb_.resurfacing_preference_dark_skin
                                                                           : kb_.resurfacing_preference;
    std::vector<int> targets;
    std::vector<int> ice_picks_left_out;
    for (const ScarView& scar : scars_) {
      if (!scar.atrophic()) continue;
      if (scar.scar_class == "ice_pick" && !focal_.count(scar.id) && enabled("ice_pick_not_resurfacing_alone")) {
        ice_picks_left_out.push_back(scar.id);
        continue;
      }
      targets.push_back(scar.id);
    }
    if (!ice_picks_left_out.empty()) {
      fire("ice_pick_not_resurfacing_alone", "ice pick scars " + id_list(ice_picks_left_out) +
                                                 " have no focal treatment: resurfacing is not proposed as their only treatment");
      warn("ice_pick_resurfacing_alone",
           "Resurfacing alone under-treats ice pick scars (Xu & Deng 2018): scars " + id_list(ice_picks_left_out) +
               " need TCA CROSS or punch excision, which this plan cannot include.");
    }
    if (targets.empty()) return;
    // Resurfacing treats the field: pick the first preferred modality that suits the scars it targets.
    std::vector<std::string> why_not;
    for (const auto& id : preference) {
      if (blocked(id)) {
        why_not.push_back(id + ": " + blocked_.at(id).reason);
        continue;
      }
      const Modality& modality = kb_.modality(id);
      std::vector<int> suited;
      for (int scar_id : targets) {
        const ScarView& scar = view(scar_id);
        const std::string reason = scar.scar_class == "ice_pick" ? "" : unsuitable(modality, scar);
        if (reason.empty()) suited.push_back(scar_id);
      }
      if (suited.empty()) continue;
      for (int scar_id : suited) assign(id, modality.stage, scar_id);
      fire("combination_resurfacing", id + " for scars " + id_list(suited) +
                                          (focal_.empty() && released_.empty() ? "" : ", after the focal and release stages") +
                                          (why_not.empty() ? "" : " (not chosen: " + join(why_not, "; ") + ")"));
      return;
    }
    warn("no_resurfacing", "No resurfacing modality is possible for scars " + id_list(targets) + ": " + join(why_not, "; "));
  }

  void fillers_after_release() {
    if (!enabled("fillers_after_release")) return;
    std::vector<int> targets;
    for (const ScarView& scar : scars_) {
      const bool candidate = scar.scar_class == "rolling" || (scar.atrophic() && scar.tethered == true);
      if (!candidate || scar.scar_class == "ice_pick") continue;
      if (!scar.is_distensible()) continue;
      targets.push_back(scar.id);
    }
    if (targets.empty()) return;
    for (const auto& id : kb_.filler_preference) {
      if (blocked(id)) continue;
      std::vector<int> suited;
      for (int scar_id : targets) {
        if (unsuitable(kb_.modality(id), view(scar_id)).empty()) suited.push_back(scar_id);
      }
      if (suited.empty()) continue;
      for (int scar_id : suited) assign(id, kb_.modality(id).stage, scar_id);
      fire("fillers_after_release", id + " for what stays distensible of scars " + id_list(suited) +
                                        (released_.empty() ? "" : " after subcision"));
      return;
    }
  }

  bool planned_with_tag(const std::string& tag, std::vector<std::string>* which = nullptr) const {
    bool any = false;
    for (const auto& a : assignments_) {
      if (kb_.modality(a.modality).has_tag(tag)) {
        any = true;
        if (which) which->push_back(a.modality);
      }
    }
    return any;
  }

  bool any_procedure_planned() const {
    return std::any_of(assignments_.begin(), assignments_.end(),
                       [&](const Assignment& a) { return kb_.modality(a.modality).procedure; });
  }

  void anticoagulants() {
    if (!enabled("anticoagulants") || !request_.patient.anticoagulants) return;
    std::vector<std::string> which;
    for (const auto& a : assignments_) {
      const Modality& m = kb_.modality(a.modality);
      if (m.has_tag("punch") || m.has_tag("injection") || m.id == "subcision") which.push_back(a.modality);
    }
    if (which.empty()) return;
    warn("anticoagulants_bruising", "Anticoagulants: higher risk of bruising and haematoma with " + join(which, ", ") +
                                        " (no source retrieved; flag only, clinician to decide).");
    fire("anticoagulants", "anticoagulants is true; bruising/haematoma warning for " + join(which, ", "));
  }

  void hsv_prophylaxis() {
    if (!enabled("hsv_prophylaxis")) return;
    std::vector<std::string> which;
    for (const auto& a : assignments_) {
      if (kb_.modality(a.modality).hsv_prophylaxis) which.push_back(a.modality);
    }
    const std::string regimen = "valacyclovir " + format_number(kb_.threshold_min("hsv_valacyclovir_mg")) +
                                " mg twice daily from the day before (or the morning of) the procedure for " +
                                format_range(*kb_.threshold("hsv_course_days").value) + " days (Gilbert & McBurney 2000)";
    if (!which.empty()) {
      warn("hsv_prophylaxis", "HSV prophylaxis for " + join(which, ", ") + ": " + regimen + ".");
      fire("hsv_prophylaxis", join(which, ", ") + " call for HSV prophylaxis");
    }
    if (request_.patient.hsv_history && perioral_region() && any_procedure_planned()) {
      warn("hsv_prophylaxis_perioral", "HSV history and perioral work: prophylaxis for every perioral procedure: " + regimen + ".");
      fire("hsv_prophylaxis", "hsv_history with perioral work");
    }
  }

  void keloid_flags_after_selection() {
    if (!keloid_active_) return;
    std::vector<std::string> needles;
    for (const auto& a : assignments_) {
      if (a.modality.rfind("microneedling", 0) == 0) needles.push_back(a.modality);
    }
    if (!needles.empty()) {
      warn("keloid_microneedling", keloid_why_ + ": " + join(needles, ", ") +
                                       " flagged (people with a history of keloid scarring may need to avoid microneedling).");
    }
    if (any_procedure_planned()) {
      warn("keloid_test_spot", keloid_why_ + ": treat a test spot first and review it before treating the whole area.");
    }
  }

  void fitzpatrick_notes_after_selection() {
    if (!enabled("fitzpatrick_dark") || !dark_skin() || !any_procedure_planned()) return;
    for (auto& a : assignments_) {
      const Modality& m = kb_.modality(a.modality);
      if (m.fitzpatrick && m.fitzpatrick->action != "exclude") a.notes.push_back("Fitzpatrick IV-VI: " + m.fitzpatrick->text);
    }
    std::string text = "Fitzpatrick " + std::to_string(request_.patient.fitzpatrick) +
                       ": post-inflammatory hyperpigmentation risk rises with energy density and ablation. Prime with "
                       "hydroquinone " + format_number(kb_.threshold_min("priming_hydroquinone_pct")) + "% for about " +
                       format_number(kb_.threshold_min("priming_weeks")) + " weeks and use sunscreen; low-density settings.";
    if (request_.patient.pregnant_or_breastfeeding) text += " No retinoid priming (pregnancy or breastfeeding).";
    warn("pigmentation_priming", text);
  }

  void isotretinoin_after_selection() {
    if (!enabled("isotretinoin") || request_.patient.isotretinoin == IsotretinoinStatus::never) return;
    for (auto& a : assignments_) {
      const Modality& m = kb_.modality(a.modality);
      if (m.isotretinoin.disputed && isotretinoin_recent_) {
        warn("isotretinoin_disputed_" + m.id,
             m.id + " within 6 months of isotretinoin is disputed: Spring 2017 (JAMA Dermatol) finds no reason to delay "
                    "fractional ablative laser; Waldman 2017 (ASDS, Dermatol Surg) does not list it as safe. Clinician to decide.");
        fire("isotretinoin", m.id + " is disputed between Spring 2017 and Waldman 2017");
      }
      if (const auto found = not_before_.find(a.modality); found != not_before_.end()) {
        a.notes.push_back("isotretinoin: not before " + found->second.to_string());
        fire("isotretinoin", a.modality + " not before " + found->second.to_string());
      }
    }
  }

  const ScarView& view(int id) const {
    for (const auto& scar : scars_) {
      if (scar.id == id) return scar;
    }
    throw std::logic_error("scar id " + std::to_string(id) + " not in the plan");
  }

  PlanItem make_item(const Assignment& a) const {
    const Modality& m = kb_.modality(a.modality);
    PlanItem item;
    item.modality = m.id;
    item.target_scar_ids = listed_ids(a.scar_ids);
    item.sessions = m.sessions.value;
    item.interval_weeks = m.interval_weeks.value;
    item.downtime_days = m.downtime_days.value;
    item.expected_improvement_pct = m.expected_improvement_pct.value;
    add_evidence(item.evidence, m.treats_evidence);
    for (const SourcedValue* v : {&m.sessions, &m.interval_weeks, &m.downtime_days, &m.expected_improvement_pct}) {
      add_evidence(item.evidence, v->evidence);
    }
    std::vector<std::string> notes = a.notes;
    if (const std::size_t unlisted = a.scar_ids.size() - item.target_scar_ids.size(); unlisted > 0) {
      notes.push_back("also " + std::to_string(unlisted) + " hand-counted scar(s) that are not listed (no id or position)");
    }
    if (!m.notes.empty()) notes.push_back(m.notes);
    if (m.expected_improvement_pct.value && !m.expected_improvement_pct.note.empty()) {
      notes.push_back("improvement: " + m.expected_improvement_pct.note);
    }
    if (const auto found = not_before_.find(m.id); found != not_before_.end()) item.not_before = found->second;
    for (auto& note : notes) note = without_final_period(note);
    item.notes = join(notes, "; ");
    return item;
  }

  void build_stages() {
    const bool procedures_allowed = !refer_ && defer_reasons_.empty();
    if (!procedures_allowed) {
      const std::string why = refer_ ? "not planned: positive body-dysmorphic screen (refer first)"
                                     : "deferred: " + join(defer_reasons_, ", ");
      for (const auto& a : assignments_) {
        if (kb_.modality(a.modality).procedure) deferred_.push_back({a.modality, why, refer_ ? "bdd_screen" : defer_rules_.front()});
      }
    }
    std::vector<Assignment> kept;
    if (acne_stage_) {
      Assignment acne{"acne_treatment_first", "acne_control", {}, {}};
      acne.notes.push_back("review acne control after " + format_number(kb_.threshold_min("acne_control_review_weeks")) +
                           " weeks before scar procedures");
      kept.push_back(acne);
    }
    if (procedures_allowed) kept.insert(kept.end(), assignments_.begin(), assignments_.end());

    if (!enabled("staging_order")) {
      // Without staging every item sits in one stage, in the order the rules chose them.
      if (kept.empty()) return;
      PlanStage stage{1, "treatment", "Treat the scars", {}};
      for (const auto& a : kept) stage.items.push_back(make_item(a));
      plan_.stages.push_back(stage);
      return;
    }
    int order = 0;
    for (const StageInfo& info : kb_.stages) {
      PlanStage stage{0, info.id, info.goal, {}};
      for (const auto& a : kept) {
        if (a.stage == info.id) stage.items.push_back(make_item(a));
      }
      if (stage.items.empty()) continue;
      stage.order = ++order;
      plan_.stages.push_back(stage);
    }
    if (plan_.stages.size() > 1) {
      std::vector<std::string> ids;
      for (const auto& stage : plan_.stages) ids.push_back(stage.id);
      fire("staging_order", "stages: " + join(ids, " -> "));
    }
  }

  // Punch scars closer than the spacing limit cannot be closed in one session (closure tension).
  std::vector<std::vector<int>> punch_sessions(const std::vector<int>& ids) const {
    const double spacing = kb_.threshold_max("punch_min_spacing_mm");
    std::vector<std::vector<int>> sessions;
    for (int id : ids) {
      const ScarView& scar = view(id);
      bool placed = false;
      if (enabled("punch_spacing")) {
        for (auto& session : sessions) {
          const bool apart = std::all_of(session.begin(), session.end(), [&](int other_id) {
            const ScarView& other = view(other_id);
            if (other.scan != scar.scan) return true;  // different scans: different skin sites
            if (!other.listed || !scar.listed) return true;  // no position: the clinician spaces them
            return std::hypot(other.centroid_mm[0] - scar.centroid_mm[0], other.centroid_mm[1] - scar.centroid_mm[1]) >= spacing;
          });
          if (apart) {
            session.push_back(id);
            placed = true;
            break;
          }
        }
      } else if (!sessions.empty()) {
        sessions.front().push_back(id);
        placed = true;
      }
      if (!placed) sessions.push_back({id});
    }
    return sessions;
  }

  void schedule() {
    if (plan_.stages.empty()) return;
    const bool intervals = enabled("session_intervals");
    CalendarDate cursor = request_.date;
    const double stage_gap = kb_.threshold_min("stage_gap_weeks");
    const long long offset_days = static_cast<long long>(kb_.threshold_min("same_day_offset_days"));
    for (PlanStage& stage : plan_.stages) {
      if (stage.id == "acne_control") {
        plan_.schedule.push_back({cursor, "acne_treatment_first", 1, {}});
        cursor = cursor.plus_weeks(kb_.threshold_min("acne_control_review_weeks"));
        continue;
      }
      const CalendarDate stage_start = cursor;
      CalendarDate stage_end = stage_start;
      std::vector<std::pair<CalendarDate, std::string>> occupied;
      const auto conflicts = [&](const CalendarDate& date, const std::string& modality) {
        return std::any_of(occupied.begin(), occupied.end(), [&](const auto& taken) {
          return taken.first == date && taken.second != modality && !kb_.same_day_allowed(taken.second, modality);
        });
      };

      // Punch techniques share sessions: the spacing rule decides how many.
      std::vector<std::pair<int, std::string>> punch_targets;
      for (const PlanItem& item : stage.items) {
        if (!kb_.modality(item.modality).has_tag("punch")) continue;
        for (int id : item.target_scar_ids) punch_targets.emplace_back(id, item.modality);
      }
      if (!punch_targets.empty()) {
        std::sort(punch_targets.begin(), punch_targets.end());
        std::vector<int> ids;
        std::map<int, std::string> modality_of;
        CalendarDate start = stage_start;
        double gap_weeks = kb_.threshold_min("punch_min_weeks_between_sessions");
        for (const auto& [id, modality] : punch_targets) {
          ids.push_back(id);
          modality_of[id] = modality;
          if (const auto found = not_before_.find(modality); found != not_before_.end()) start = std::max(start, found->second);
          const auto& interval = kb_.modality(modality).interval_weeks.value;
          if (interval) gap_weeks = std::max(gap_weeks, interval->min);
        }
        if (!intervals) gap_weeks = 0;
        const auto groups = punch_sessions(ids);
        std::map<std::string, int> session_number;
        for (std::size_t g = 0; g < groups.size(); ++g) {
          const CalendarDate date = start.plus_weeks(gap_weeks * static_cast<double>(g));
          std::map<std::string, std::vector<int>> by_modality;
          for (int id : groups[g]) by_modality[modality_of[id]].push_back(id);
          for (auto& [modality, scar_ids] : by_modality) {
            plan_.schedule.push_back({date, modality, ++session_number[modality], listed_ids(scar_ids)});
            occupied.emplace_back(date, modality);
          }
          stage_end = std::max(stage_end, date);
        }
        for (PlanItem& item : stage.items) {
          if (!kb_.modality(item.modality).has_tag("punch")) continue;
          const double count = session_number[item.modality];
          item.sessions = NumericRange{count, count};
          const double max_interval = item.interval_weeks ? std::max(item.interval_weeks->max, gap_weeks) : gap_weeks;
          item.interval_weeks = NumericRange{gap_weeks, max_interval};
          const std::string spacing = format_number(kb_.threshold_max("punch_min_spacing_mm"));
          std::string note = groups.size() == 1
                                 ? "all punch scars at least " + spacing + " mm apart (centroids): one session"
                                 : std::to_string(groups.size()) + " punch sessions: scars closer than " + spacing +
                                       " mm (centroids) are punched in different sessions, at least " +
                                       format_number(gap_weeks) + " weeks apart";
          item.notes = item.notes.empty() ? note : note + "; " + item.notes;
        }
        if (enabled("punch_spacing")) {
          fire("punch_spacing", std::to_string(ids.size()) + " punch scars in " + std::to_string(groups.size()) +
                                    " session(s) (>= " + format_number(kb_.threshold_max("punch_min_spacing_mm")) +
                                    " mm apart within a session)");
        }
      }

      for (PlanItem& item : stage.items) {
        const Modality& m = kb_.modality(item.modality);
        if (m.has_tag("punch")) continue;
        const int count = item.sessions ? std::max(1, static_cast<int>(item.sessions->min)) : 1;
        double interval = item.interval_weeks ? item.interval_weeks->min : stage_gap;
        if (!intervals) interval = 0;
        CalendarDate start = stage_start;
        if (item.not_before) start = std::max(start, *item.not_before);
        for (int attempt = 0; attempt < 60; ++attempt) {
          bool clash = false;
          for (int s = 0; s < count; ++s) clash = clash || conflicts(start.plus_weeks(interval * s), item.modality);
          if (!clash) break;
          start = start.plus_days(offset_days);
        }
        for (int s = 0; s < count; ++s) {
          const CalendarDate date = start.plus_weeks(interval * s);
          plan_.schedule.push_back({date, item.modality, s + 1, item.target_scar_ids});
          occupied.emplace_back(date, item.modality);
          stage_end = std::max(stage_end, date);
        }
      }
      cursor = stage_end.plus_weeks(stage_gap);
    }
    std::stable_sort(plan_.schedule.begin(), plan_.schedule.end(),
                     [](const ScheduledSession& a, const ScheduledSession& b) { return a.date < b.date; });
    if (intervals) {
      fire("session_intervals", "sessions of one modality at least its minimum interval apart; stages " +
                                    format_number(stage_gap) + " weeks apart; only kb same-day pairs share a day");
    }
  }

  void expectations() {
    if (!enabled("expectations")) return;
    int procedural_stages = 0;
    for (const auto& stage : plan_.stages) {
      if (stage.id != "acne_control") ++procedural_stages;
    }
    const bool anything = procedural_stages > 0 || !deferred_.empty();
    if (!anything) return;
    NumericRange range = *kb_.threshold("expected_improvement_typical_pct").value;
    std::string why = "typical range: scars are reduced, not eliminated";
    const int severe = static_cast<int>(kb_.threshold_min("severe_min_grade"));
    const int combination_stages = procedural_stages > 0 ? procedural_stages : static_cast<int>(deferred_.size());
    if (request_.severity && request_.severity->max >= severe && combination_stages >= 2) {
      range = *kb_.threshold("expected_improvement_severe_combination_pct").value;
      why = "severe scarring (grade estimate " + std::to_string(request_.severity->min) +
            (request_.severity->min != request_.severity->max ? "-" + std::to_string(request_.severity->max) : "") +
            ") treated with a combination: more is possible, still partial";
    }
    plan_.expected_improvement_pct = range;
    fire("expectations", why + ": " + format_range(range) + " %");
  }

  void distress_mismatch() {
    if (!enabled("distress_mismatch") || refer_) return;
    const double threshold = kb_.threshold_min("distress_referral_min");
    const double max_grade = kb_.threshold_min("distress_referral_max_grade");
    if (request_.patient.distress_0_10 < threshold) return;
    if (!request_.severity) {
      fire("distress_mismatch", "distress " + format_number(request_.patient.distress_0_10) +
                                    " but no severity grade estimate: the comparison could not be made");
      return;
    }
    if (request_.severity->max > max_grade) return;
    refer("psychological_counselling");
    warn("distress_out_of_proportion",
         "Distress " + format_number(request_.patient.distress_0_10) + "/10 with a qualitative grade estimate of at most " +
             std::to_string(request_.severity->max) +
             ": when distress does not match the size of the problem, more procedures will not help; counselling by a "
             "clinical psychologist or psychiatrist will. Offered alongside the plan; treatment is not withheld.");
    fire("distress_mismatch", "distress " + format_number(request_.patient.distress_0_10) + " >= " + format_number(threshold) +
                                  " with grade <= " + format_number(max_grade) + ": counselling referral alongside");
  }

  void decide_status() {
    const bool has_procedure_stage = std::any_of(plan_.stages.begin(), plan_.stages.end(),
                                                 [](const PlanStage& stage) { return stage.id != "acne_control"; });
    if (has_procedure_stage) {
      vote(PlanStatus::plan, "");
    }
    if (!has_procedure_stage && !refer_ && defer_reasons_.empty() && !scars_.empty() && !acne_stage_) {
      // Nothing possible: if isotretinoin blocked what would have been chosen, that is a deferral.
      bool isotretinoin_blocked = false;
      for (const auto& [id, exclusion] : blocked_) isotretinoin_blocked = isotretinoin_blocked || exclusion.rule == "isotretinoin";
      if (isotretinoin_blocked) {
        vote(PlanStatus::defer, "isotretinoin: every suitable procedure needs a waiting period after the last dose");
      } else {
        warn("nothing_possible", "No procedure fits these scars with the modalities allowed and offered.");
      }
    }
    if (scars_.empty() && !present_classes_.count("macular_erythematous") && !present_classes_.count("macular_hyperpigmented")) {
      plan_.reasons.insert(plan_.reasons.begin(), "no scars in the assessment");
    }
    if (votes_.empty()) {
      plan_.status = PlanStatus::none;
    } else if (enabled("status_precedence")) {
      plan_.status = *std::max_element(votes_.begin(), votes_.end());
      if (plan_.status != PlanStatus::plan || votes_.size() > 1) {
        std::vector<std::string> names;
        for (auto v : votes_) names.push_back(plan_status_name(v));
        fire("status_precedence", "status votes " + join(names, ", ") + " -> " + plan_status_name(plan_.status));
      }
    } else {
      plan_.status = votes_.back();
    }
    if (plan_.status == PlanStatus::plan) {
      int procedures = 0;
      for (const auto& stage : plan_.stages) procedures += static_cast<int>(stage.items.size());
      plan_.reasons.push_back(std::to_string(scars_.size()) + " scars assessed; " + std::to_string(plan_.stages.size()) +
                              " stage(s), " + std::to_string(procedures) + " item(s) proposed");
    }
  }

  // Exclusions worth telling the clinician: modalities that could have treated a scar present, or
  // that would have been planned (deferred).
  void excluded_for_output() {
    for (const auto& deferred : deferred_) plan_.excluded.push_back(deferred);
    for (const auto& id : blocked_order_) {
      const Modality& m = kb_.modality(id);
      const bool relevant = std::any_of(m.treats.begin(), m.treats.end(),
                                        [&](const std::string& c) { return present_classes_.count(c) > 0; });
      if (!relevant) continue;
      const bool already = std::any_of(plan_.excluded.begin(), plan_.excluded.end(),
                                       [&](const PlanExclusion& e) { return e.modality == id; });
      if (!already) plan_.excluded.push_back(blocked_.at(id));
    }
  }

  const PlanRequest& request_;
  const KnowledgeBase& kb_;
  Plan plan_;
  std::vector<ScarView> scars_;
  std::set<std::string> present_classes_;
  std::map<std::string, PlanExclusion> blocked_;
  std::vector<std::string> blocked_order_;
  std::vector<Assignment> assignments_;
  std::set<int> focal_, released_;
  std::vector<int> untreated_focal_;
  std::map<int, std::string> untreated_why_;
  std::vector<PlanExclusion> deferred_;
  std::map<std::string, CalendarDate> not_before_;
  std::vector<PlanStatus> votes_;
  std::vector<std::string> defer_reasons_;
  std::vector<std::string> defer_rules_;  // the rules behind defer_reasons_, in the same order
  bool refer_ = false;
  bool acne_stage_ = false;
  bool keloid_active_ = false;
  bool isotretinoin_recent_ = false;
  std::string keloid_why_;
};

}  // namespace

const std::vector<std::string>& planning_regions() { return kRegions; }
const std::vector<std::string>& planning_rule_ids() { return kRuleIds; }

Plan make_plan(const PlanRequest& request, const KnowledgeBase& kb) {
  if (std::find(kRegions.begin(), kRegions.end(), request.region) == kRegions.end()) {
    throw InputError("region \"" + request.region + "\" is not one of face, perioral, jawline, chest, back");
  }
  for (const auto& rule : request.disabled_rules) {
    if (std::find(kRuleIds.begin(), kRuleIds.end(), rule) == kRuleIds.end()) {
      throw InputError("unknown planning rule \"" + rule + "\"");
    }
  }
  for (const auto& id : kRuleIds) kb.rule(id);  // every rule must carry its source in the kb
  Planner planner(request, kb);
  return planner.run();
}

}  // namespace scarscope
