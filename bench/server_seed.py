#!/usr/bin/env python3
"""Seeds a running scarscope server for bench/server.sh: logs in, registers PATIENTS patients (with a
full planning profile) and writes their ids, one per line, to IDS_FILE; prints the token."""
import json
import sys
import urllib.request

base, email, password, count, ids_file = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]


def call(method, path, body=None, token=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    if body is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request) as answer:
        return json.loads(answer.read() or b"null")


token = call("POST", "/api/v1/login", {"email": email, "password": password})["token"]
profile = {"active_acne": "none", "isotretinoin": {"status": "never"}, "keloid_history": False,
           "hsv_history": False, "active_cold_sore": False, "active_skin_infection": False,
           "pregnant_or_breastfeeding": False, "anticoagulants": False, "bdd_screen_positive": False,
           "distress_0_10": 3}
ids = []
for number in range(count):
    patient = call("POST", "/api/v1/patients",
                   {"name": "Bench Patient %04d" % number, "identifier": "B-%04d" % number,
                    "birth_year": 1960 + number % 40, "fitzpatrick": 1 + number % 6, "profile": profile}, token)
    ids.append(patient["id"])
with open(ids_file, "w") as out:
    out.write("\n".join(ids) + "\n")
print(token)
