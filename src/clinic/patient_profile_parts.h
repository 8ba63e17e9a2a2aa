// A patient's planning profile, given a part at a time: a patient is registered with a name alone
// and the profile of `scarscope plan --patient` is completed later. These functions check the parts
// given so far, say which are still missing, and assemble the full profile once complete.
#pragma once
#include <string>
#include <vector>

#include "clinic/records.h"
#include "planning/patient_profile.h"

namespace scarscope::clinic {

// Checks every field present in `profile_json` (a JSON object of profile fields other than
// birth_year and fitzpatrick, which are the patient's own fields) with the planner's own rules;
// throws InputError naming the first wrong field. Missing fields are not an error here.
void check_profile_parts(const std::string& profile_json, const CalendarDate& today);

// The profile fields the planner requires that are not yet given (birth_year and fitzpatrick
// included), in the planner's order; empty when the profile is complete.
std::vector<std::string> missing_profile_fields(const Patient& patient);

// The complete profile document ({"birth_year", "fitzpatrick", ...the parts}) as JSON text.
std::string profile_document(const Patient& patient);

// The full profile for planning. Throws InputError (missing_field, naming every missing field)
// when the profile is incomplete.
PatientProfile complete_profile(const Patient& patient, const CalendarDate& today);

}  // namespace scarscope::clinic
