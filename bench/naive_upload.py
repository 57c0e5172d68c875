#!/usr/bin/env python3
"""The naive upload the forum's scripts make: read the whole file, then post it with requests.

Prints its own peak RSS. Arguments: MAYAN_URL TOKEN FILE. Used by bench/run.sh for the memory
comparison; never by the service.
"""
import os
import resource
import sys

import requests

url, token, path = sys.argv[1], sys.argv[2], sys.argv[3]
headers = {"Authorization": "Token " + token}
types = requests.get(url + "/api/v4/document_types/", headers=headers, timeout=60).json()["results"]
type_id = next(t["id"] for t in types if t["label"] == "Default")
with open(path, "rb") as handle:
    data = handle.read()
response = requests.post(url + "/api/v4/documents/upload/", headers=headers, timeout=3600,
                         data={"document_type_id": type_id},
                         files={"file": (os.path.basename(path), data)})
response.raise_for_status()
peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print("peak RSS %.0f MiB (HTTP %d)" % (peak_mib, response.status_code))
