// Rule family: which modalities this patient may have (clinic and patient capabilities, keloid
// tendency, darker skin, downtime, isotretinoin), and the notes and flags these rules add once the
// modalities are chosen.
#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "planning/rules/rule_table.h"

namespace scarscope::planning_rules {

void capabilities(PlanContext& c) {
  if (!c.enabled("capabilities")) return;
  std::optional<std::set<std::string>> offered = c.kb.clinic_modalities;
  if (c.request.patient.available_modalities) {
    std::set<std::string> patient_list;
    for (const auto& id : *c.request.patient.available_modalities) {
      if (!c.kb.modalities.count(id)) {
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
  for (const auto& [id, modality] : c.kb.modalities) {
    if (!modality.procedure || offered->count(id)) continue;
    c.exclude(id, "not offered (available_modalities)", "capabilities");
    ++count;
  }
  if (count > 0) c.fire("capabilities", std::to_string(offered->size()) + " modalities offered; the others are not planned");
}

void keloid(PlanContext& c) {
  if (!c.enabled("keloid")) return;
  const bool history = c.request.patient.keloid_history;
  const bool region = c.keloid_prone_region();
  if (!history && !region) return;
  const std::string why = history ? "keloid history" : "keloid-prone region (" + c.request.region + ")";
  const std::string recurrence = format_range(*c.kb.threshold("keloid_recurrence_after_excision_pct").value);
  for (const auto& [id, modality] : c.kb.modalities) {
    if (modality.has_tag("excisional")) {
      c.exclude(id, why + ": no excisional work (keloids recur after excision in " + recurrence + "%)", "keloid");
    } else if (modality.has_tag("ablative")) {
      c.exclude(id, why + ": no ablative work", "keloid");
    } else if (modality.has_tag("dermabrasion")) {
      c.exclude(id, why + ": no dermabrasion", "keloid");
    } else if (modality.has_tag("medium_deep_peel")) {
      c.exclude(id, why + ": no medium or deep peels", "keloid");
    }
  }
  c.fire("keloid", why + ": excisional, ablative, dermabrasion and medium/deep peel modalities excluded");
  c.keloid_active = true;
  c.keloid_why = why;
}

void fitzpatrick_dark(PlanContext& c) {
  if (!c.enabled("fitzpatrick_dark") || !c.dark_skin()) return;
  std::vector<std::string> excluded;
  for (const auto& [id, modality] : c.kb.modalities) {
    if (modality.fitzpatrick && modality.fitzpatrick->action == "exclude") {
      c.exclude(id, "Fitzpatrick " + std::to_string(c.request.patient.fitzpatrick) + ": " + modality.fitzpatrick->text,
                "fitzpatrick_dark");
      excluded.push_back(id);
    }
  }
  c.fire("fitzpatrick_dark", "Fitzpatrick " + std::to_string(c.request.patient.fitzpatrick) + ": " + join(excluded, ", ") +
                                 " excluded; darker-skin resurfacing order used (microneedling, RF first)");
}

// One rule for a downtime range against the patient's limit: a modality whose shortest downtime is
// already longer (or whose downtime no source gives) is excluded; one whose longest downtime alone is
// longer is kept, and downtime_warnings says by how many days it may exceed the limit.
void downtime_limit(PlanContext& c) {
  if (!c.enabled("downtime_limit") || !c.request.patient.max_downtime_days) return;
  const double limit = *c.request.patient.max_downtime_days;
  int count = 0;
  for (const auto& [id, modality] : c.kb.modalities) {
    if (!modality.procedure) continue;
    if (!modality.downtime_days.value) {
      c.exclude(id, "downtime not known from the sources; the patient's limit is " + format_number(limit) + " days",
                "downtime_limit");
      ++count;
    } else if (modality.downtime_days.value->min > limit) {
      c.exclude(id, "downtime " + format_range(*modality.downtime_days.value) + " days exceeds the patient's limit of " +
                        format_number(limit) + " days",
                "downtime_limit");
      ++count;
    }
  }
  if (count > 0) c.fire("downtime_limit", "max_downtime_days " + format_number(limit) + ": " + std::to_string(count) +
                                             " modalities with longer downtime excluded");
}

void downtime_warnings(PlanContext& c) {
  if (!c.enabled("downtime_limit") || !c.request.patient.max_downtime_days) return;
  const double limit = *c.request.patient.max_downtime_days;
  for (auto& a : c.assignments) {
    const Modality& m = c.kb.modality(a.modality);
    if (!m.procedure || !m.downtime_days.value || m.downtime_days.value->max <= limit) continue;
    const double excess = m.downtime_days.value->max - limit;
    const std::string over = format_number(excess);
    const std::string days = excess == 1.0 ? " day" : " days";
    a.notes.push_back("downtime may exceed the patient's limit of " + format_number(limit) + " days by up to " + over + days);
    c.warn("downtime_over_limit_" + m.id,
           m.id + ": downtime " + format_range(*m.downtime_days.value) + " days, up to " + over + days +
               " longer than the patient's limit of " + format_number(limit) +
               " days (max_downtime_days). Kept because its shortest downtime fits; discuss it with the patient or "
               "leave it out.");
    c.fire("downtime_limit", m.id + " kept with a warning: downtime up to " + over + days + " over the limit");
  }
}

void isotretinoin(PlanContext& c) {
  if (!c.enabled("isotretinoin")) return;
  const PatientProfile& p = c.request.patient;
  if (p.isotretinoin == IsotretinoinStatus::never) return;
  bool as_current = p.isotretinoin == IsotretinoinStatus::current;
  if (p.isotretinoin == IsotretinoinStatus::stopped && !p.isotretinoin_stopped_on) {
    as_current = true;
    c.warn("isotretinoin_stop_date_missing",
           "Isotretinoin stopped, but the date is not given: treated as current. Give isotretinoin.stopped_on to "
           "schedule the modalities that need a waiting period.");
  }
  c.isotretinoin_recent = as_current;
  for (const auto& [id, modality] : c.kb.modalities) {
    const auto& wait = modality.isotretinoin.wait_months;
    if (!wait.value || wait.value->max <= 0) continue;
    const int months = static_cast<int>(std::ceil(wait.value->max));
    if (as_current) {
      c.exclude(id, "isotretinoin current: not until " + std::to_string(months) + " months after the last dose (" +
                        join_citations(wait.evidence) + ")",
                "isotretinoin");
    } else {
      const CalendarDate earliest = p.isotretinoin_stopped_on->plus_months(months);
      if (earliest > c.request.date) c.not_before[id] = earliest;
    }
  }
  if (!as_current) {
    const CalendarDate conservative = p.isotretinoin_stopped_on->plus_months(
        static_cast<int>(c.kb.threshold_max("isotretinoin_conservative_wait_months")));
    c.isotretinoin_recent = c.request.date < conservative;
  }
  c.fire("isotretinoin", std::string("isotretinoin ") +
                             (as_current ? "current (or no stop date)" : "stopped on " + p.isotretinoin_stopped_on->to_string()) +
                             ": per-modality waiting periods applied (no flat " +
                             format_range(*c.kb.threshold("isotretinoin_traditional_wait_months").value) + " month block)");
}

void keloid_flags(PlanContext& c) {
  if (!c.keloid_active) return;
  std::vector<std::string> needles;
  for (const auto& a : c.assignments) {
    if (a.modality.rfind("microneedling", 0) == 0) needles.push_back(a.modality);
  }
  if (!needles.empty()) {
    c.warn("keloid_microneedling", c.keloid_why + ": " + join(needles, ", ") +
                                       " flagged (people with a history of keloid scarring may need to avoid microneedling).");
  }
  if (c.any_procedure_planned()) {
    c.warn("keloid_test_spot", c.keloid_why + ": treat a test spot first and review it before treating the whole area.");
  }
}

void fitzpatrick_notes(PlanContext& c) {
  if (!c.enabled("fitzpatrick_dark") || !c.dark_skin() || !c.any_procedure_planned()) return;
  const std::string types = roman(static_cast<int>(c.kb.threshold_min("dark_skin_min_fitzpatrick"))) + "-" + roman(6);
  for (auto& a : c.assignments) {
    const Modality& m = c.kb.modality(a.modality);
    if (m.fitzpatrick && m.fitzpatrick->action != "exclude") a.notes.push_back("Fitzpatrick " + types + ": " + m.fitzpatrick->text);
  }
}

// Priming is a stage of its own: the procedures it protects are scheduled after it (session_intervals).
void pigment_priming(PlanContext& c) {
  if (!c.enabled("pigment_priming") || !c.dark_skin()) return;
  const auto& protects = c.kb.pigment_priming_modalities;
  for (const auto& a : c.assignments) {
    if (std::find(protects.begin(), protects.end(), a.modality) != protects.end()) c.primed.push_back(a.modality);
  }
  if (c.primed.empty()) return;
  const bool pregnant = c.request.patient.pregnant_or_breastfeeding;
  const std::string weeks = format_number(c.kb.threshold_min("priming_weeks"));
  const std::string hydroquinone = "hydroquinone " + format_number(c.kb.threshold_min("priming_hydroquinone_pct")) + "%";
  auto& priming = c.assign("pigment_priming", c.kb.modality("pigment_priming").stage, kNoScar);
  priming.notes.push_back(hydroquinone + (pregnant ? " (no retinoid: pregnancy or breastfeeding)" : " with tretinoin") +
                          " and sunscreen for about " + weeks + " weeks before " + join(c.primed, ", ") +
                          ": the first of them is scheduled when priming ends");
  std::string text = "Fitzpatrick " + std::to_string(c.request.patient.fitzpatrick) +
                     ": post-inflammatory hyperpigmentation risk rises with energy density and ablation. Priming is "
                     "scheduled: " + hydroquinone + " for about " + weeks + " weeks before " + join(c.primed, ", ") +
                     ", and sunscreen; low-density settings.";
  if (pregnant) text += " No retinoid priming (pregnancy or breastfeeding).";
  c.warn("pigmentation_priming", text);
  c.fire("pigment_priming", "Fitzpatrick " + std::to_string(c.request.patient.fitzpatrick) + ": " + weeks +
                                " weeks of priming before the first session of " + join(c.primed, ", "));
}

void isotretinoin_notes(PlanContext& c) {
  if (!c.enabled("isotretinoin") || c.request.patient.isotretinoin == IsotretinoinStatus::never) return;
  const std::string window = format_number(c.kb.threshold_max("isotretinoin_conservative_wait_months"));
  for (auto& a : c.assignments) {
    const Modality& m = c.kb.modality(a.modality);
    if (m.isotretinoin.disputed && c.isotretinoin_recent) {
      c.warn("isotretinoin_disputed_" + m.id,
             m.id + " within " + window + " months of isotretinoin is disputed: Spring 2017 (JAMA Dermatol) finds no reason "
                    "to delay fractional ablative laser; Waldman 2017 (ASDS, Dermatol Surg) does not list it as safe. "
                    "Clinician to decide.");
      c.fire("isotretinoin", m.id + " is disputed between Spring 2017 and Waldman 2017");
    }
    if (m.isotretinoin.not_addressed && c.isotretinoin_recent) {
      c.warn("isotretinoin_not_addressed_" + m.id,
             m.id + " within " + window + " months of isotretinoin: neither Spring 2017 nor Waldman 2017 addresses " +
                 m.name + "; no wait is applied, by analogy with superficial peels and cutaneous surgery (unconfirmed). "
                 "Clinician to decide.");
      c.fire("isotretinoin", m.id + ": neither Spring 2017 nor Waldman 2017 addresses it (no wait, by analogy)");
    }
    if (const auto found = c.not_before.find(a.modality); found != c.not_before.end()) {
      a.notes.push_back("isotretinoin: not before " + found->second.to_string());
      c.fire("isotretinoin", a.modality + " not before " + found->second.to_string());
    }
  }
}

}  // namespace scarscope::planning_rules
