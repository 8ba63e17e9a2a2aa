// Rule family: stages, punch sessions and dates (staging order, punch spacing, session intervals).
#include <algorithm>
#include <cmath>

#include "planning/rules/rule_table.h"

namespace scarscope::planning_rules {
namespace {

// The scars of `a` an improvement figure was measured on (all of them when the kb does not restrict it).
std::vector<int> scars_the_figure_applies_to(const PlanContext& c, const Assignment& a, const SourcedValue& figure) {
  if (figure.applies_to.empty()) return a.scar_ids;
  std::vector<int> out;
  for (int id : a.scar_ids) {
    const std::string& scar_class = c.view(id).scar_class;
    if (std::find(figure.applies_to.begin(), figure.applies_to.end(), scar_class) != figure.applies_to.end()) out.push_back(id);
  }
  return out;
}

PlanItem make_item(const PlanContext& c, const Assignment& a) {
  const Modality& m = c.kb.modality(a.modality);
  PlanItem item;
  item.modality = m.id;
  item.target_scar_ids = listed_ids(a.scar_ids);
  item.sessions = m.sessions.value;
  item.interval_weeks = m.interval_weeks.value;
  item.downtime_days = m.downtime_days.value;
  // An improvement figure stands only for the scars its sources treated.
  const SourcedValue& improvement = m.expected_improvement_pct;
  const std::vector<int> measured = scars_the_figure_applies_to(c, a, improvement);
  const bool figure_applies = improvement.value && !measured.empty();
  if (figure_applies) item.expected_improvement_pct = improvement.value;
  add_evidence(item.evidence, m.treats_evidence);
  for (const SourcedValue* v : {&m.sessions, &m.interval_weeks, &m.downtime_days}) add_evidence(item.evidence, v->evidence);
  if (figure_applies) add_evidence(item.evidence, improvement.evidence);
  std::vector<std::string> notes = a.notes;
  if (const std::size_t unlisted = a.scar_ids.size() - item.target_scar_ids.size(); unlisted > 0) {
    notes.push_back("also " + std::to_string(unlisted) + " hand-counted scar(s) that are not listed (no id or position)");
  }
  if (!m.notes.empty()) notes.push_back(m.notes);
  if (figure_applies && !improvement.note.empty()) notes.push_back("improvement: " + improvement.note);
  if (improvement.value && !improvement.applies_to.empty() && measured.size() < a.scar_ids.size()) {
    notes.push_back("improvement: the sources' figure is for " + join(improvement.applies_to, ", ") + " scars" +
                    (figure_applies ? " (scars " + id_list(measured) + " here); none is given for the others"
                                    : "; none is given for these"));
  }
  if (const auto found = c.not_before.find(m.id); found != c.not_before.end()) item.not_before = found->second;
  for (auto& note : notes) note = without_final_period(note);
  item.notes = join(notes, "; ");
  return item;
}

// Punch scars closer than the spacing limit cannot be closed in one session (closure tension).
std::vector<std::vector<int>> punch_groups(const PlanContext& c, const std::vector<int>& ids) {
  const double spacing = c.kb.threshold_max("punch_min_spacing_mm");
  std::vector<std::vector<int>> sessions;
  for (int id : ids) {
    const ScarView& scar = c.view(id);
    bool placed = false;
    if (c.enabled("punch_spacing")) {
      for (auto& session : sessions) {
        const bool apart = std::all_of(session.begin(), session.end(), [&](int other_id) {
          const ScarView& other = c.view(other_id);
          if (other.scan != scar.scan) return true;          // different scans: different skin sites
          if (!other.listed || !scar.listed) return true;    // no position: the clinician spaces them
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

}  // namespace

void staging_order(PlanContext& c) {
  const bool procedures_allowed = !c.refer_first && c.defer_reasons.empty();
  if (!procedures_allowed) {
    const std::string why = c.refer_first ? "not planned: positive body-dysmorphic screen (refer first)"
                                          : "deferred: " + join(c.defer_reasons, ", ");
    for (const auto& a : c.assignments) {
      if (c.kb.modality(a.modality).procedure) {
        c.deferred.push_back({a.modality, why, c.refer_first ? "bdd_screen" : c.defer_rules.front()});
      }
    }
  }
  std::vector<Assignment> kept;
  if (c.acne_stage) {
    Assignment acne{"acne_treatment_first", "acne_control", {}, {}};
    acne.notes.push_back("review acne control after " + format_number(c.kb.threshold_min("acne_control_review_weeks")) +
                         " weeks before scar procedures");
    kept.push_back(acne);
  }
  if (procedures_allowed) kept.insert(kept.end(), c.assignments.begin(), c.assignments.end());

  if (!c.enabled("staging_order")) {
    // Without staging every item sits in one stage, in the order the rules chose them.
    if (kept.empty()) return;
    PlanStage stage{1, "treatment", "Treat the scars", {}};
    for (const auto& a : kept) stage.items.push_back(make_item(c, a));
    c.plan.stages.push_back(stage);
    return;
  }
  int order = 0;
  for (const StageInfo& info : c.kb.stages) {
    PlanStage stage{0, info.id, info.goal, {}};
    for (const auto& a : kept) {
      if (a.stage == info.id) stage.items.push_back(make_item(c, a));
    }
    if (stage.items.empty()) continue;
    stage.order = ++order;
    c.plan.stages.push_back(stage);
  }
  if (c.plan.stages.size() > 1) {
    std::vector<std::string> ids;
    for (const auto& stage : c.plan.stages) ids.push_back(stage.id);
    c.fire("staging_order", "stages: " + join(ids, " -> "));
  }
}

void punch_spacing(PlanContext& c) {
  const bool intervals = c.enabled("session_intervals");
  for (std::size_t s = 0; s < c.plan.stages.size(); ++s) {
    PlanStage& stage = c.plan.stages[s];
    if (stage.id == "acne_control") continue;
    // Punch techniques share sessions: the spacing rule decides how many.
    std::vector<std::pair<int, std::string>> punch_targets;
    for (const PlanItem& item : stage.items) {
      if (!c.kb.modality(item.modality).has_tag("punch")) continue;
      for (int id : item.target_scar_ids) punch_targets.emplace_back(id, item.modality);
    }
    if (punch_targets.empty()) continue;
    std::sort(punch_targets.begin(), punch_targets.end());
    PunchSessions punch;
    std::vector<int> ids;
    punch.gap_weeks = c.kb.threshold_min("punch_min_weeks_between_sessions");
    for (const auto& [id, modality] : punch_targets) {
      ids.push_back(id);
      punch.modality_of[id] = modality;
      const auto& interval = c.kb.modality(modality).interval_weeks.value;
      if (interval) punch.gap_weeks = std::max(punch.gap_weeks, interval->min);
    }
    if (!intervals) punch.gap_weeks = 0;
    punch.groups = punch_groups(c, ids);
    std::map<std::string, int> sessions_of;
    for (const auto& group : punch.groups) {
      std::set<std::string> in_group;
      for (int id : group) in_group.insert(punch.modality_of[id]);
      for (const auto& modality : in_group) ++sessions_of[modality];
    }
    const std::string spacing = format_number(c.kb.threshold_max("punch_min_spacing_mm"));
    for (PlanItem& item : stage.items) {
      if (!c.kb.modality(item.modality).has_tag("punch")) continue;
      const double count = sessions_of[item.modality];
      item.sessions = NumericRange{count, count};
      const double max_interval = item.interval_weeks ? std::max(item.interval_weeks->max, punch.gap_weeks) : punch.gap_weeks;
      item.interval_weeks = NumericRange{punch.gap_weeks, max_interval};
      std::string note = punch.groups.size() == 1
                             ? "all punch scars at least " + spacing + " mm apart (centroids): one session"
                             : std::to_string(punch.groups.size()) + " punch sessions: scars closer than " + spacing +
                                   " mm (centroids) are punched in different sessions, at least " +
                                   format_number(punch.gap_weeks) + " weeks apart";
      item.notes = item.notes.empty() ? note : note + "; " + item.notes;
    }
    if (c.enabled("punch_spacing")) {
      c.fire("punch_spacing", std::to_string(ids.size()) + " punch scars in " + std::to_string(punch.groups.size()) +
                                  " session(s) (>= " + spacing + " mm apart within a session)");
    }
    c.punch_sessions[s] = std::move(punch);
  }
}

void session_intervals(PlanContext& c) {
  if (c.plan.stages.empty()) return;
  const bool intervals = c.enabled("session_intervals");
  CalendarDate cursor = c.request.date;
  const double stage_gap = c.kb.threshold_min("stage_gap_weeks");
  const long long offset_days = static_cast<long long>(c.kb.threshold_min("same_day_offset_days"));
  const double priming_weeks = c.kb.threshold_min("priming_weeks");
  const auto primed = [&](const std::string& modality) {
    return std::find(c.primed.begin(), c.primed.end(), modality) != c.primed.end();
  };
  std::optional<CalendarDate> priming_end;  // a primed procedure starts no earlier
  std::optional<std::size_t> priming_entry;
  for (std::size_t s = 0; s < c.plan.stages.size(); ++s) {
    const PlanStage& stage = c.plan.stages[s];
    if (stage.id == "acne_control") {
      c.plan.schedule.push_back({cursor, "acne_treatment_first", 1, {}, std::nullopt});
      cursor = cursor.plus_weeks(c.kb.threshold_min("acne_control_review_weeks"));
      continue;
    }
    const CalendarDate stage_start = cursor;
    const bool priming_here = std::any_of(stage.items.begin(), stage.items.end(),
                                          [](const PlanItem& item) { return item.modality == "pigment_priming"; });
    if (priming_here) {
      // Priming runs alongside procedures it does not protect; those it protects wait for its end.
      priming_end = stage_start.plus_weeks(priming_weeks);
      priming_entry = c.plan.schedule.size();
      c.plan.schedule.push_back({stage_start, "pigment_priming", 1, {}, priming_end});
      if (stage.items.size() == 1) continue;
    }
    CalendarDate stage_end = stage_start;
    std::vector<std::pair<CalendarDate, std::string>> occupied;
    const auto conflicts = [&](const CalendarDate& date, const std::string& modality) {
      return std::any_of(occupied.begin(), occupied.end(), [&](const auto& taken) {
        return taken.first == date && taken.second != modality && !c.kb.same_day_allowed(taken.second, modality);
      });
    };

    if (const auto found = c.punch_sessions.find(s); found != c.punch_sessions.end()) {
      const PunchSessions& punch = found->second;
      CalendarDate start = stage_start;
      for (const auto& [id, modality] : punch.modality_of) {
        if (const auto wait = c.not_before.find(modality); wait != c.not_before.end()) start = std::max(start, wait->second);
        if (priming_end && primed(modality)) start = std::max(start, *priming_end);
      }
      std::map<std::string, int> session_number;
      for (std::size_t g = 0; g < punch.groups.size(); ++g) {
        const CalendarDate date = start.plus_weeks(punch.gap_weeks * static_cast<double>(g));
        std::map<std::string, std::vector<int>> by_modality;
        for (int id : punch.groups[g]) by_modality[punch.modality_of.at(id)].push_back(id);
        for (auto& [modality, scar_ids] : by_modality) {
          c.plan.schedule.push_back({date, modality, ++session_number[modality], listed_ids(scar_ids), std::nullopt});
          occupied.emplace_back(date, modality);
        }
        stage_end = std::max(stage_end, date);
      }
    }

    for (const PlanItem& item : stage.items) {
      const Modality& m = c.kb.modality(item.modality);
      if (m.has_tag("punch") || item.modality == "pigment_priming") continue;
      const int count = item.sessions ? std::max(1, static_cast<int>(item.sessions->min)) : 1;
      double interval = item.interval_weeks ? item.interval_weeks->min : stage_gap;
      if (!intervals) interval = 0;
      CalendarDate start = stage_start;
      if (item.not_before) start = std::max(start, *item.not_before);
      if (priming_end && primed(item.modality)) start = std::max(start, *priming_end);
      for (int attempt = 0; attempt < 60; ++attempt) {
        bool clash = false;
        for (int session = 0; session < count; ++session) {
          clash = clash || conflicts(start.plus_weeks(interval * session), item.modality);
        }
        if (!clash) break;
        start = start.plus_days(offset_days);
      }
      for (int session = 0; session < count; ++session) {
        const CalendarDate date = start.plus_weeks(interval * session);
        c.plan.schedule.push_back({date, item.modality, session + 1, item.target_scar_ids, std::nullopt});
        occupied.emplace_back(date, item.modality);
        stage_end = std::max(stage_end, date);
      }
    }
    cursor = stage_end.plus_weeks(stage_gap);
  }
  if (priming_entry) {
    // Priming ends when the first procedure it protects starts (a wait for isotretinoin or for an
    // earlier stage would otherwise leave a gap), and those procedures show that date as not_before.
    std::optional<CalendarDate> first;
    for (const auto& session : c.plan.schedule) {
      if (primed(session.modality) && (!first || session.date < *first)) first = session.date;
    }
    ScheduledSession& priming = c.plan.schedule[*priming_entry];
    if (first && *first > *priming.until) {
      priming.date = first->plus_weeks(-priming_weeks);
      priming.until = *first;
    }
    for (auto& stage : c.plan.stages) {
      for (auto& item : stage.items) {
        if (primed(item.modality) && (!item.not_before || *item.not_before < *priming.until)) item.not_before = priming.until;
      }
    }
  }
  std::stable_sort(c.plan.schedule.begin(), c.plan.schedule.end(),
                   [](const ScheduledSession& a, const ScheduledSession& b) { return a.date < b.date; });
  if (intervals) {
    c.fire("session_intervals", "sessions of one modality at least its minimum interval apart; stages " +
                                    format_number(stage_gap) + " weeks apart; only kb same-day pairs share a day");
  }
}

}  // namespace scarscope::planning_rules
