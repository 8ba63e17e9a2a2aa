// The clinician's report: patient and visit, the scar map, the scar table, the grades with their
// basis, the accepted plan with its sources, the sessions given and their adverse events, and the
// progress of the region with each scar's minimal detectable change.
#include <cmath>
#include <exception>

#include "clinic/vocabulary.h"
#include "core/error.h"
#include "followup/comparison.h"
#include "report/figures.h"
#include "report/pdf_document.h"
#include "report/report_format.h"
#include "report/reports.h"
#include "workflows/scan_input.h"

namespace scarscope::report {

namespace {

class ClinicianReport {
 public:
  ClinicianReport(const PatientCourse& course, const ReportContext& context)
      : course_(course), context_(context), text_(context.text) {}

  Document build() {
    Document document = report_document(course_, context_, "clinician");
    document_ = &document;
    add(Heading{label("title"), 0});
    patient_section();
    visit_section();
    plan_section();
    sessions_section();
    progress_section();
    return document;
  }

 private:
  std::string label(const std::string& key, const TextArguments& arguments = {}) const {
    return text_.label("clinician." + key, arguments);
  }
  void add(Block block) { document_->add(std::move(block)); }
  void paragraph(std::string text, double size = 9.5) {
    Paragraph p;
    p.text = std::move(text);
    p.size = size;
    add(std::move(p));
  }
  void bullet(std::string text, double size = 9.0) {
    Paragraph p;
    p.text = std::move(text);
    p.size = size;
    p.bullet = "•";
    p.space_after = 2.0;
    add(std::move(p));
  }
  void note(std::string text) {
    Paragraph p;
    p.text = std::move(text);
    p.size = 8.0;
    p.italic = true;
    p.colour = {0.25, 0.25, 0.25};
    add(std::move(p));
  }
  std::string date(const CalendarDate& day) const { return text_.date(day); }
  std::string modality_name(const std::string& modality) const {
    if (context_.knowledge.treatments) {
      const auto& known = context_.knowledge.treatments->modalities;
      const auto found = known.find(modality);
      if (found != known.end()) return found->second.name;
    }
    return modality;
  }

  void patient_section() {
    const clinic::Patient& patient = course_.patient;
    add(Heading{label("patient_heading"), 1});
    const std::string unknown = label("not_recorded");
    std::string consents;
    for (const clinic::Consent& consent : course_.consents) {
      consents += (consents.empty() ? "" : "; ") + std::string(clinic::name(consent.kind)) + " " +
                  std::string(clinic::name(consent.state)) + " " + date(consent.date);
    }
    Table table;
    table.header = {label("patient_name"), patient.name};
    table.widths = {1, 3};
    table.size = 9.0;
    table.rows = {
        {label("patient_identifier"), patient.identifier.empty() ? unknown : patient.identifier},
        {label("patient_birth_year"), patient.birth_year ? std::to_string(*patient.birth_year) : unknown},
        {label("patient_sex"), patient.sex ? std::string(clinic::name(*patient.sex)) : unknown},
        {label("patient_fitzpatrick"), patient.fitzpatrick ? std::to_string(*patient.fitzpatrick) : unknown},
        {label("patient_consents"), consents.empty() ? unknown : consents},
    };
    add(std::move(table));
    if (course_.visits.empty()) {
      paragraph(label("no_visits"));
      return;
    }
    Table visits;
    visits.header = {label("column_date"), label("column_region"), label("visit_scans"), label("scars_column"),
                     label("visit_notes")};
    visits.widths = {1.1, 1.1, 2.2, 0.7, 2.4};
    visits.align_right = {false, false, false, true, false};
    for (const CourseVisit& visit : course_.visits) {
      std::string scans, scars;
      for (const CourseScan& scan : visit.scans) scans += (scans.empty() ? "" : ", ") + scan.scan.file_name;
      if (const CourseScan* analysed = visit.first_analysed()) scars = std::to_string(analysed->in_force->scars.counts().total());
      visits.rows.push_back({date(visit.visit.date), text_.region(std::string(clinic::name(visit.visit.region))),
                             scans.empty() ? "-" : scans, scars.empty() ? "-" : scars, visit.visit.notes});
    }
    add(std::move(visits));
  }

  void visit_section() {
    if (!course_.focus_visit) return;
    const CourseVisit& visit = course_.visits[*course_.focus_visit];
    add(Heading{label("visit_heading", {{"date", date(visit.visit.date)},
                                        {"region", text_.region(std::string(clinic::name(visit.visit.region)))}}),
                1});
    if (!visit.visit.notes.empty()) paragraph(label("visit_notes") + ": " + visit.visit.notes);
    for (const CourseScan& scan : visit.scans) {
      std::string line = scan.scan.file_name + " (" + scan.scan.format + ", " +
                         text_.number(static_cast<double>(scan.scan.size_bytes) / 1e6, 1) + " MB";
      if (!scan.scan.instrument.empty()) line += ", " + scan.scan.instrument;
      line += ", " + label("uploaded", {{"date", date(day_of(scan.scan.uploaded_at))},
                                        {"user", course_.staff_name(scan.scan.uploaded_by)}});
      if (scan.in_force) {
        line += "; " + label("analysed_with", {{"version", scan.in_force->made_by.version},
                                               {"schema", std::to_string(scan.in_force->made_by.schema)}});
      }
      bullet(line + ")");
    }
    if (visit.scans.empty()) {
      paragraph(label("no_scan"));
      return;
    }
    if (visit.first_analysed() == nullptr) {
      paragraph(label("not_analysed"));
      return;
    }
    for (const CourseScan& scan : visit.scans) {
      if (scan.in_force) scan_section(scan, visit.scans.size() > 1);
    }
  }

  void scan_section(const CourseScan& scan, bool several) {
    const Assessment& assessment = *scan.in_force;
    const ScarInventory& scars = assessment.scars;
    add(Heading{label("map_heading") + (several ? " - " + scan.scan.file_name : ""), 2});
    map_figure(scan);
    add(Heading{label("scars_heading", {{"count", std::to_string(scars.counts().total())}}), 2});
    if (scars.scars.empty()) {
      paragraph(label("scars_none"));
    } else {
      scar_table(scars);
    }
    grades_table(assessment.grades);
  }

  void map_figure(const CourseScan& scan) {
    const auto file = course_.scan_files.find(scan.scan.id);
    if (file == course_.scan_files.end()) {
      note(label("map_unavailable", {{"reason", label("map_not_read")}}));
      return;
    }
    try {
      const HeightMap map = read_scan(ScanInput::memory(file->second, scan.scan.file_name, scan.scan.format));
      std::vector<LegendEntry> legend;
      const ScarCounts counts = scan.in_force->scars.counts();
      for (ScarType type : all_scar_types()) {
        legend.push_back({type, text_.scar_type_name(scar_type_name(type)) + " (" + std::to_string(counts.of(type)) + ")"});
      }
      add(scar_map_figure(map, scan.in_force->scars, std::move(legend), 330.0,
                          label("map_caption", {{"file", scan.scan.file_name},
                                                {"width", text_.number(map.nx() * map.dx_um() / 1000.0, 1)},
                                                {"height", text_.number(map.ny() * map.dy_um() / 1000.0, 1)}})));
    } catch (const InputError& error) {
      note(label("map_unavailable", {{"reason", error.what()}}));
    }
  }

  void scar_table(const ScarInventory& scars) {
    Table table;
    table.header = {label("column_id"),     label("column_type"),  label("column_reason"),
                    label("column_diameter"), label("column_depth"), label("column_volume")};
    table.widths = {0.4, 1.0, 3.6, 0.9, 0.9, 0.9};
    table.align_right = {true, false, false, true, true, true};
    bool lower_bound = false, raised = false;
    std::vector<std::string> corrected;
    for (const Scar& scar : scars.scars) {
      std::string type = text_.scar_type_name(scar_type_name(scar.type));
      if (!scar.corrected_by_clinician.empty()) {
        type += " *";
        for (const std::string& what : scar.corrected_by_clinician) {
          if (std::find(corrected.begin(), corrected.end(), what) == corrected.end()) corrected.push_back(what);
        }
      }
      std::string depth = "-";
      if (scar.measured(ScarMeasure::depth_um)) {
        depth = text_.number(scar.depth_um, 0);
        if (scar.type == ScarType::hypertrophic) {
          depth = "+" + depth;
          raised = true;
        } else if (scar.depth_is_lower_bound) {
          depth = "≥ " + depth;
          lower_bound = true;
        }
      }
      table.rows.push_back({std::to_string(scar.id), type, scar.reason,
                            scar.measured(ScarMeasure::diameter_mm) ? text_.number(scar.diameter_mm, 2) : "-", depth,
                            scar.measured(ScarMeasure::volume_mm3) ? text_.number(scar.volume_mm3, 3) : "-"});
    }
    add(std::move(table));
    if (lower_bound) note(label("depth_floor_note"));
    if (raised) note(label("height_note"));
    if (!corrected.empty()) {
      std::string what;
      for (const std::string& item : corrected) what += (what.empty() ? "" : ", ") + item;
      note(label("corrected_note", {{"what", what}}));
    }
  }

  std::string basis_text(GradeBasis basis, const std::optional<double>& coverage) const {
    const std::string cm2 = coverage ? text_.number(*coverage, 1) : "-";
    return label(std::string("basis_") + grade_basis_name(basis), {{"coverage", cm2}});
  }

  std::string missing_text(const std::vector<std::string>& missing) const {
    if (missing.empty()) return "-";
    std::string inputs;
    for (const std::string& input : missing) inputs += (inputs.empty() ? "" : ", ") + input;
    return label("missing_inputs", {{"inputs", inputs}});
  }

  void grades_table(const Grades& grades) {
    add(Heading{label("grades_heading"), 2});
    Table table;
    table.header = {label("column_scale"), label("column_value"), label("column_basis"), label("column_missing")};
    table.widths = {1.6, 1.0, 2.2, 2.2};
    auto scale_row = [&](const std::string& name, const ScaleGrade& grade) {
      std::string value = std::to_string(grade.value);
      if (grade.value_high && *grade.value_high != grade.value) value += "-" + std::to_string(*grade.value_high);
      table.rows.push_back({name, label("grade_value", {{"value", value}, {"maximum", std::to_string(grade.maximum)}}),
                            basis_text(grade.basis, grade.coverage_cm2), missing_text(grade.missing_inputs)});
    };
    scale_row(label("grade_gbq"), grades.goodman_baron_quantitative);
    scale_row(label("grade_ecca"), grades.ecca);
    const QualitativeGrade& qualitative = grades.goodman_baron_qualitative;
    table.rows.push_back({label("grade_gbqual"), qualitative.value_text() + " (" + qualitative.level + ")",
                          basis_text(qualitative.basis, qualitative.coverage_cm2),
                          missing_text(qualitative.missing_inputs)});
    add(std::move(table));
    for (const std::string& line : grades.notes) note(line);
  }

  void plan_section() {
    add(Heading{label("plan_heading"), 1});
    const CoursePlan* accepted = course_.accepted_plan();
    if (accepted == nullptr) {
      std::size_t proposed = 0;
      for (const CoursePlan& plan : course_.plans) proposed += plan.plan.status == clinic::PlanStatus::proposed ? 1 : 0;
      paragraph(proposed > 0 ? label("plan_proposed_only", {{"count", std::to_string(proposed)}}) : label("plan_none"));
      return;
    }
    const Plan& plan = accepted->in_force.plan;
    const CourseVisit* visit = course_.visit(accepted->plan.visit_id);
    paragraph(label("plan_accepted_by",
                    {{"date", accepted->plan.accepted_at ? date(day_of(*accepted->plan.accepted_at)) : "-"},
                     {"user", course_.staff_name(accepted->plan.accepted_by)},
                     {"visit", visit != nullptr ? date(visit->visit.date) : "-"},
                     {"kb", plan.kb_version}}));
    if (!accepted->plan.acceptance_note.empty()) paragraph(label("plan_note", {{"note", accepted->plan.acceptance_note}}));
    paragraph(label("plan_status", {{"status", plan_status_name(plan.status)},
                                    {"improvement", range_text(text_, plan.expected_improvement_pct) + " %"}}));
    for (const std::string& reason : plan.reasons) bullet(label("plan_reason", {{"reason", reason}}));

    if (!plan.stages.empty()) {
      Table table;
      table.header = {label("column_stage"),    label("column_modality"), label("column_targets"),
                      label("column_sessions"), label("column_interval"), label("column_downtime"),
                      label("column_improvement"), label("column_evidence")};
      table.widths = {1.3, 1.6, 0.7, 0.7, 0.7, 0.7, 0.8, 2.6};
      table.size = 7.5;
      for (const PlanStage& stage : plan.stages) {
        for (const PlanItem& item : stage.items) {
          std::string evidence;
          for (const Evidence& e : item.evidence) evidence += (evidence.empty() ? "" : "; ") + short_citation(text_, e);
          std::string modality = modality_name(item.modality);
          if (!item.notes.empty()) modality += " - " + item.notes;
          if (item.not_before) modality += " (" + label("not_before", {{"date", date(*item.not_before)}}) + ")";
          table.rows.push_back({std::to_string(stage.order) + ". " + stage.goal, modality,
                                item.target_scar_ids.empty() ? "-" : ids_text(item.target_scar_ids),
                                range_text(text_, item.sessions), range_text(text_, item.interval_weeks),
                                range_text(text_, item.downtime_days), range_text(text_, item.expected_improvement_pct),
                                evidence.empty() ? "-" : evidence});
        }
      }
      add(std::move(table));
    }
    if (!plan.excluded.empty()) {
      add(Heading{label("exclusions_heading"), 2});
      for (const PlanExclusion& exclusion : plan.excluded) {
        bullet(modality_name(exclusion.modality) + ": " + exclusion.reason + " [" + exclusion.rule + "]", 8.5);
      }
    }
    if (!plan.warnings.empty()) {
      add(Heading{label("warnings_heading"), 2});
      for (const PlanWarning& warning : plan.warnings) bullet(warning.text + " [" + warning.id + "]", 8.5);
    }
    if (!plan.referrals.empty()) {
      add(Heading{label("referrals_heading"), 2});
      for (const std::string& referral : plan.referrals) bullet(modality_name(referral), 8.5);
    }
    if (!plan.schedule.empty()) {
      add(Heading{label("schedule_heading"), 2});
      Table table;
      table.header = {label("column_date"), label("column_modality"), label("column_session_number"), label("column_targets")};
      table.widths = {1.0, 2.5, 1.2, 1.2};
      for (const ScheduledSession& session : plan.schedule) {
        table.rows.push_back({date(session.date), modality_name(session.modality),
                              session.until ? label("schedule_until", {{"date", date(*session.until)}})
                                            : label("schedule_session", {{"number", std::to_string(session.session)}}),
                              session.target_scar_ids.empty() ? "-" : ids_text(session.target_scar_ids)});
      }
      add(std::move(table));
    }
    if (!plan.rules_fired.empty()) {
      add(Heading{label("sources_heading"), 2});
      for (const FiredRule& rule : plan.rules_fired) {
        std::string sources;
        for (const Evidence& e : rule.evidence) sources += (sources.empty() ? "" : "; ") + short_citation(text_, e);
        bullet(rule.title + (sources.empty() ? "" : " - " + sources) + " [" + rule.id + "]", 7.5);
      }
    }
  }

  std::string parameters_text(const clinic::TreatmentSession& session) const {
    std::string out;
    const auto modality = context_.vocabulary.parameters.find(session.modality);
    for (const auto& [name, value] : session.parameters) {
      std::string unit;
      if (modality != context_.vocabulary.parameters.end()) {
        const auto range = modality->second.find(name);
        if (range != modality->second.end()) unit = range->second.unit;
      }
      out += (out.empty() ? "" : ", ") + name + " " + text_.number(value, value == std::floor(value) ? 0 : 2) +
             (unit.empty() ? "" : " " + unit);
    }
    return out.empty() ? "-" : out;
  }

  void sessions_section() {
    add(Heading{label("sessions_heading"), 1});
    if (course_.sessions.empty()) {
      paragraph(label("sessions_none"));
      return;
    }
    Table table;
    table.header = {label("column_date"),   label("column_modality"), label("column_parameters"), label("column_region"),
                    label("column_targets"), label("column_operator"), label("column_notes")};
    table.widths = {0.9, 1.4, 1.9, 0.9, 0.6, 1.0, 1.5};
    table.size = 8.0;
    bool any_event = false;
    for (const CourseSession& given : course_.sessions) {
      const clinic::TreatmentSession& session = given.session;
      table.rows.push_back({date(session.date), modality_name(session.modality), parameters_text(session),
                            text_.region(std::string(clinic::name(session.region))),
                            session.target_scar_ids.empty() ? "-" : ids_text(session.target_scar_ids),
                            course_.staff_name(session.operator_id), session.notes});
      any_event = any_event || !given.events.empty();
    }
    add(std::move(table));
    add(Heading{label("events_heading"), 2});
    if (!any_event) {
      paragraph(label("events_none"));
      return;
    }
    Table events;
    events.header = {label("column_event"), label("column_severity"), label("column_onset"), label("column_resolved"),
                     label("column_session"), label("column_notes")};
    events.widths = {1.6, 0.8, 0.9, 0.9, 1.6, 1.8};
    events.size = 8.0;
    for (const CourseSession& given : course_.sessions) {
      for (const clinic::AdverseEvent& event : given.events) {
        events.rows.push_back({std::string(clinic::name(event.kind)), std::string(clinic::name(event.severity)),
                               date(event.onset), event.resolved ? date(*event.resolved) : label("unresolved"),
                               date(given.session.date) + ", " + modality_name(given.session.modality), event.notes});
      }
    }
    add(std::move(events));
  }

  void progress_section() {
    if (!course_.progress) return;
    const CourseProgress& progress = *course_.progress;
    add(Heading{label("progress_heading", {{"region", text_.region(std::string(clinic::name(progress.region)))}}), 1});
    if (!progress.series) {
      paragraph(label("progress_none"));
      pending(progress);
      return;
    }
    const SeriesComparison& series = progress.series->series;
    const VisitComparison& latest = series.comparisons.back();
    const GlobalChange& total = latest.global;
    const bool beyond = std::abs(total.volume_after_mm3 - total.volume_before_mm3) > total.volume_mdc_mm3;
    paragraph(label("progress_total",
                    {{"date", date(progress.points.back().date)},
                     {"baseline", date(progress.points.front().date)},
                     {"before", text_.number(total.volume_before_mm3, 3)},
                     {"after", text_.number(total.volume_after_mm3, 3)},
                     {"change", (total.volume_change_pct > 0 ? "+" : "") + text_.number(total.volume_change_pct, 1) + " %"},
                     {"mdc", text_.number(total.volume_mdc_mm3, 3)},
                     {"verdict", label(beyond ? "beyond_noise" : "within_noise")}}));
    std::vector<ChartPoint> totals;
    totals.push_back({text_.date(progress.points.front().date), series.comparisons.front().global.volume_before_mm3, 0.0});
    for (std::size_t k = 0; k < series.comparisons.size(); ++k) {
      const GlobalChange& global = series.comparisons[k].global;
      totals.push_back({text_.date(progress.points[k + 1].date), global.volume_after_mm3, global.volume_mdc_mm3});
    }
    add(line_chart_figure(std::move(totals), "mm³", 150.0, label("chart_total")));

    std::vector<ScarChart> charts;
    Table table;
    table.header = {label("column_id"),   label("column_type"), label("column_baseline_volume"), label("column_latest_volume"),
                    label("column_change"), label("column_mdc"), label("column_status")};
    table.widths = {0.4, 1.0, 1.0, 1.0, 0.9, 0.9, 1.3};
    table.align_right = {true, false, true, true, true, true, false};
    for (const ScarTrajectory& scar : series.scars) {
      ScarChart chart;
      chart.title = "#" + std::to_string(scar.id) + " " + text_.scar_type_name(scar.type);
      for (const TrajectoryPoint& point : scar.points) {
        const bool measured = point.status != TrajectoryStatus::not_seen && point.status != TrajectoryStatus::not_registered &&
                              point.status != TrajectoryStatus::not_found;
        chart.points.push_back({text_.date(progress.points[static_cast<std::size_t>(point.visit - 1)].date).substr(0, 6),
                                measured ? point.volume_mm3 : std::nan(""), point.visit > 1 ? point.volume_mdc_mm3 : 0.0});
      }
      const TrajectoryPoint& first = scar.points.front();
      const TrajectoryPoint& last = scar.points.back();
      chart.status = text_.status_name(trajectory_status_name(last.status));
      table.rows.push_back({std::to_string(scar.id), text_.scar_type_name(scar.type),
                            first.status == TrajectoryStatus::baseline ? text_.number(first.volume_mm3, 3) : "-",
                            text_.number(last.volume_mm3, 3),
                            std::isfinite(last.volume_change_pct)
                                ? (last.volume_change_pct > 0 ? "+" : "") + text_.number(last.volume_change_pct, 1) + " %"
                                : "-",
                            last.visit > 1 ? text_.number(last.volume_mdc_mm3, 3) : "-", chart.status});
      charts.push_back(std::move(chart));
    }
    constexpr std::size_t kChartsPerFigure = 24;
    for (std::size_t first = 0; first < charts.size(); first += kChartsPerFigure) {
      std::vector<ScarChart> part(charts.begin() + static_cast<std::ptrdiff_t>(first),
                                  charts.begin() + static_cast<std::ptrdiff_t>(std::min(charts.size(), first + kChartsPerFigure)));
      add(scar_charts_figure(std::move(part), first == 0 ? label("chart_scars") : std::string()));
    }
    add(std::move(table));
    pending(progress);
    difference_maps(progress);
  }

  void pending(const CourseProgress& progress) {
    if (progress.pending.empty()) return;
    std::string visits;
    for (const std::string& line : progress.pending) visits += (visits.empty() ? "" : "; ") + line;
    note(label("progress_pending", {{"visits", visits}}));
  }

  // The library's comparison picture of the baseline and the latest follow-up, made again from
  // their scans and the scars in force (the record keeps the numbers, not the registered maps).
  void difference_maps(const CourseProgress& progress) {
    const CourseProgress::Point& baseline = progress.points.front();
    const CourseProgress::Point& latest = progress.points.back();
    const CourseScan* baseline_scan = course_.scan(baseline.scan_id);
    const CourseScan* latest_scan = course_.scan(latest.scan_id);
    const auto baseline_file = course_.scan_files.find(baseline.scan_id);
    const auto latest_file = course_.scan_files.find(latest.scan_id);
    add(Heading{label("maps_heading"), 2});
    if (baseline_file == course_.scan_files.end() || latest_file == course_.scan_files.end()) {
      note(label("maps_unavailable", {{"reason", label("map_not_read")}}));
      return;
    }
    try {
      CompareRequest request;
      request.baseline = {ScanInput::memory(baseline_file->second, baseline_scan->scan.file_name, baseline_scan->scan.format),
                          baseline_scan->in_force->scars};
      request.followup = {ScanInput::memory(latest_file->second, latest_scan->scan.file_name, latest_scan->scan.format),
                          latest_scan->in_force->scars};
      request.overlay_png = true;
      const Comparison drawn = compare_scans(request);
      if (drawn.overlay_png.empty()) {
        note(label("maps_unavailable", {{"reason", drawn.comparison.registration.problem}}));
        return;
      }
      add(png_figure(drawn.overlay_png, 240.0,
                     label("maps_caption", {{"baseline", date(baseline.date)}, {"latest", date(latest.date)}})));
    } catch (const InputError& error) {
      note(label("maps_unavailable", {{"reason", error.what()}}));
    }
  }

  const PatientCourse& course_;
  const ReportContext& context_;
  const ReportText& text_;
  Document* document_ = nullptr;
};

}  // namespace

std::string_view report_kind_name(ReportKind kind) { return kind == ReportKind::clinician ? "clinician" : "patient"; }

ReportKind parse_report_kind(std::string_view text, const std::string& field) {
  if (text == "clinician") return ReportKind::clinician;
  if (text == "patient") return ReportKind::patient;
  throw InputError("'" + std::string(text) + "' is not a kind of report (clinician, patient)", ErrorCode::out_of_range, field);
}

ReportResources load_report_resources(const std::filesystem::path& kb_dir, const std::string& language) {
  return {load_knowledge(kb_dir), load_report_text(kb_dir, language), clinic::read_treatment_vocabulary(kb_dir)};
}

std::string knowledge_versions(const ReportContext& context) {
  std::string line = "grading " + context.knowledge.grading.version;
  if (context.knowledge.treatments) line += ", treatments " + context.knowledge.treatments->version;
  line += ", session parameters " + context.vocabulary.version + ", report text " + context.text.version;
  return line;
}

Bytes clinician_report_pdf(const PatientCourse& course, const ReportContext& context) {
  return render_pdf(ClinicianReport(course, context).build());
}

Bytes report_pdf(ReportKind kind, const PatientCourse& course, const ReportContext& context) {
  return kind == ReportKind::clinician ? clinician_report_pdf(course, context) : patient_report_pdf(course, context);
}

}  // namespace scarscope::report
