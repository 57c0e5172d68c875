#!/usr/bin/env python3
"""Probe a running Mayan EDMS and print, as Markdown, the REST behaviour an ingestion client relies on.

Stdlib only. Reads MAYAN_URL, MAYAN_USERNAME, MAYAN_PASSWORD from the environment
(e.g. `. ~/.cache/mayan-ingest/data-4.12.2/mayan.env; python3 e2e/probe_mayan.py > report.md`).

Every fact is observed, not assumed: each section shows the request, the exact status, the
interesting headers and the body. The probe creates its own objects (names carry a run id), so it
can be run repeatedly against the same Mayan. It uses Basic auth unless a check says otherwise.
"""
import base64
import hashlib
import json
import os
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

BASE = os.environ.get('MAYAN_URL', 'http://127.0.0.1:8000').rstrip('/')
USER = os.environ.get('MAYAN_USERNAME', 'admin')
PASSWORD = os.environ.get('MAYAN_PASSWORD', '')
API = BASE + '/api/v4/'
RUN = time.strftime('%H%M%S') + '-' + uuid.uuid4().hex[:4]
BASIC = 'Basic ' + base64.b64encode('{}:{}'.format(USER, PASSWORD).encode()).decode()

OUT = []
AUTH = {'default': BASIC}  # switched to 'Token <key>' once a token is obtained
THROTTLED = []  # (path, retry-after) of 429s hit (and retried) outside the throttling check
SUMMARY = []  # (topic, observed) rows of the closing "Release dialect summary" table


def out(line=''):
    OUT.append(line)


class Resp:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    def h(self, name):
        return self.headers.get(name)

    def short(self, limit=600):
        text = self.body.decode('utf-8', 'replace') if isinstance(self.body, bytes) else self.body
        if self.json is not None:
            text = json.dumps(self.json, ensure_ascii=False)
        text = text if text else '(empty)'
        return text if len(text) <= limit else text[:limit] + ' …(%d chars)' % len(text)


def multipart(fields, files):
    boundary = 'probe' + uuid.uuid4().hex
    parts = []
    for k, v in fields.items():
        parts.append('--{}\r\nContent-Disposition: form-data; name="{}"\r\n\r\n{}\r\n'.format(
            boundary, k, v).encode('utf-8'))
    for k, (filename, content, ctype) in files.items():
        if filename.startswith('RAW:'):  # caller supplies the disposition parameters verbatim
            disp = filename[4:]
        else:  # raw UTF-8 file name in the header, as curl / browsers / most Java clients send it
            disp = 'filename="{}"'.format(filename)
        parts.append('--{}\r\nContent-Disposition: form-data; name="{}"; {}\r\n'
                     'Content-Type: {}\r\n\r\n'.format(boundary, k, disp, ctype).encode('utf-8'))
        parts.append(content + b'\r\n')
    parts.append('--{}--\r\n'.format(boundary).encode())
    return b''.join(parts), 'multipart/form-data; boundary=' + boundary


def call(method, path, json_body=None, fields=None, files=None, auth='default', accept='application/json',
         headers=None, retry_429=True, raw_body=None):
    if auth == 'default':
        auth = AUTH['default']
    url = path if path.startswith('http') else API + path.lstrip('/')
    data = None
    hdrs = {}
    if accept:
        hdrs['Accept'] = accept
    if auth:
        hdrs['Authorization'] = auth
    if json_body is not None:
        data = json.dumps(json_body).encode()
        hdrs['Content-Type'] = 'application/json'
    elif files is not None or fields is not None:
        data, ctype = multipart(fields or {}, files or {})
        hdrs['Content-Type'] = ctype
    elif raw_body is not None:
        data = raw_body
        hdrs['Content-Type'] = 'application/x-www-form-urlencoded'
    hdrs.update(headers or {})
    for attempt in range(10):
        req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                resp = Resp(r.status, r.headers, r.read())
        except urllib.error.HTTPError as e:
            resp = Resp(e.code, e.headers, e.read())
        if resp.status == 429 and retry_429:
            THROTTLED.append((path, resp.h('Retry-After')))
            time.sleep(float(resp.h('Retry-After') or 1))
            continue
        return resp
    return resp


def show(title, method, path, resp, note='', headers=('Content-Type',), body_limit=600, req=''):
    out('- **{}** — `{} {}`{}'.format(title, method, path, (' ' + req) if req else ''))
    hv = ', '.join('`{}: {}`'.format(h, resp.h(h)) for h in headers if resp.h(h) is not None)
    out('  - status **{}**{}'.format(resp.status, ('; ' + hv) if hv else ''))
    out('  - body: `{}`'.format(resp.short(body_limit).replace('`', "'")))
    if note:
        out('  - ' + note)


def fact(text):
    out('- ' + text)


def summary(topic, observed):
    """One row of the closing table, compared release by release in MAYAN-FINDINGS.md."""
    SUMMARY.append((topic, ' '.join(str(observed).split())))


def status_and_body(resp, limit=160):
    return '{} `{}`'.format(resp.status, resp.short(limit).replace('`', "'").replace('|', '\\|').replace('\n', ' '))


def wait_for(fn, timeout=120, interval=0.25):
    """Poll fn() until it returns a truthy value; return (value, seconds)."""
    t0 = time.time()
    while True:
        v = fn()
        if v:
            return v, time.time() - t0
        if time.time() - t0 > timeout:
            return None, time.time() - t0
        time.sleep(interval)


def pdf_bytes(text):
    """A tiny valid one-page PDF (so page counting works) carrying a unique text."""
    stream = 'BT /F1 12 Tf 72 720 Td ({}) Tj ET'.format(text).encode()
    objs = [b'<< /Type /Catalog /Pages 2 0 R >>',
            b'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
            b'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R '
            b'/Resources << /Font << /F1 5 0 R >> >> >>',
            b'<< /Length %d >>\nstream\n' % len(stream) + stream + b'\nendstream',
            b'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>']
    body = b'%PDF-1.4\n'
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(body))
        body += b'%d 0 obj\n' % i + o + b'\nendobj\n'
    xref = len(body)
    body += b'xref\n0 %d\n0000000000 65535 f \n' % (len(objs) + 1)
    body += b''.join(b'%010d 00000 n \n' % o for o in offsets)
    body += b'trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n' % (len(objs) + 1, xref)
    return body


def section(title):
    out()
    out('## ' + title)
    out()


def main():
    if not PASSWORD:
        sys.exit('MAYAN_PASSWORD is not set (source <data dir>/mayan.env first)')
    t_start = time.time()
    out('# Mayan EDMS REST probe')
    out()
    r = call('GET', 'project/')
    info = r.json or {}
    out('Probed `{}` on {} (run id `{}`): Mayan `{}`, build `{}`, Django `{}`.'.format(
        BASE, time.strftime('%Y-%m-%d %H:%M:%S'), RUN, info.get('__version__'),
        info.get('__build_string__') or info.get('__build__'), info.get('__django_version__')))
    out('`GET /api/v4/project/` keys: `{}`'.format(', '.join(sorted(info.keys()))))
    summary('version (`GET project/` `__version__`, `__django_version__`)', '{} `{}`, Django `{}`'.format(
        r.status, info.get('__version__'), info.get('__django_version__')))

    # ------------------------------------------------------------------ auth
    section('1. Authentication')
    wrong_basic = 'Basic ' + base64.b64encode('{}:wrong-password'.format(USER).encode()).decode()
    hdrs = ('Content-Type', 'WWW-Authenticate')
    show('wrong password (Basic)', 'GET', 'document_types/', call('GET', 'document_types/', auth=wrong_basic),
         headers=hdrs)
    show('unknown user (Basic)', 'GET', 'document_types/',
         call('GET', 'document_types/', auth='Basic ' + base64.b64encode(b'nobody-xyz:pw').decode()), headers=hdrs)
    show('wrong token', 'GET', 'document_types/',
         call('GET', 'document_types/', auth='Token 0123456789abcdef0123456789abcdef01234567'), headers=hdrs)
    show('`Bearer` instead of `Token`', 'GET', 'document_types/',
         call('GET', 'document_types/', auth='Bearer 0123456789abcdef'), headers=hdrs)
    show('anonymous list', 'GET', 'document_types/', call('GET', 'document_types/', auth=None), headers=hdrs)
    show('anonymous detail', 'GET', 'documents/1/', call('GET', 'documents/1/', auth=None), headers=hdrs)
    show('anonymous POST', 'POST', 'tags/', call('POST', 'tags/', json_body={'label': 'x', 'color': '#000000'},
                                                  auth=None), headers=hdrs)

    r = call('POST', 'auth/token/obtain/', json_body={'username': USER, 'password': PASSWORD}, auth=None)
    token = (r.json or {}).get('token')
    show('obtain token, JSON body + `Accept: application/json`', 'POST', 'auth/token/obtain/', r,
         req='`{"username","password"}`', body_limit=80)
    r2 = call('POST', 'auth/token/obtain/', json_body={'username': USER, 'password': PASSWORD}, auth=None,
              accept=None)
    show('obtain token without Accept header', 'POST', 'auth/token/obtain/', r2, body_limit=120)
    r3 = call('POST', 'auth/token/obtain/?format=json', auth=None, accept=None,
              raw_body=urllib.parse.urlencode({'username': USER, 'password': PASSWORD}).encode())
    show('obtain token, form-encoded + `?format=json`', 'POST', 'auth/token/obtain/?format=json', r3, body_limit=80)
    show('obtain token, wrong password', 'POST', 'auth/token/obtain/',
         call('POST', 'auth/token/obtain/', json_body={'username': USER, 'password': 'nope'}, auth=None),
         headers=hdrs)
    if token:
        fact('token same on repeated obtain: **{}** (one non-expiring token per user); length {}'.format(
            token == (r3.json or {}).get('token'), len(token)))
        show('request with `Authorization: Token <key>`', 'GET', 'project/',
             call('GET', 'project/', auth='Token ' + token), body_limit=60)
    auth_tok = 'Token ' + token if token else BASIC
    # latency: Basic auth hashes the password (PBKDF2) on every request, Token auth is a DB lookup
    lat = {}
    for name, a in (('Basic', BASIC), ('Token', auth_tok)):
        t0 = time.time()
        for _ in range(5):
            call('GET', 'project/', auth=a)
        lat[name] = (time.time() - t0) / 5
        time.sleep(0.5)
    fact('mean latency of `GET project/`: Basic auth **{:.0f} ms**, Token auth **{:.0f} ms**'.format(
        lat['Basic'] * 1000, lat['Token'] * 1000))
    AUTH['default'] = auth_tok
    out()
    out('_All following requests use `Authorization: Token <key>`._')

    # ------------------------------------------------------------------ pagination
    section('2. Pagination, ordering, filtering')
    tag_ids = []
    for i in range(12):
        r = call('POST', 'tags/', json_body={'label': 'probe-{}-{:02d}'.format(RUN, i), 'color': '#00aa00'})
        tag_ids.append((r.json or {}).get('id'))
    r = call('GET', 'tags/')
    j = r.json or {}
    fact('`GET tags/` (with ≥12 tags): keys `{}`, count {}, **{} results per page** by default, next = `{}`, '
         'previous = `{}`'.format(sorted(j.keys()), j.get('count'), len(j.get('results', [])), j.get('next'),
                                  j.get('previous')))
    r = call('GET', 'tags/?page=2')
    fact('`GET tags/?page=2`: previous = `{}`'.format((r.json or {}).get('previous')))
    r = call('GET', 'tags/?page_size=100')
    fact('`GET tags/?page_size=100`: {} results (count {}), next = `{}`'.format(
        len((r.json or {}).get('results', [])), (r.json or {}).get('count'), (r.json or {}).get('next')))
    r = call('GET', 'tags/?page_size=1000')
    fact('`GET tags/?page_size=1000`: status {}, {} results (capped at maximum?)'.format(
        r.status, len((r.json or {}).get('results', []))))
    show('page past the end', 'GET', 'tags/?page=999', call('GET', 'tags/?page=999'))
    r = call('GET', 'tags/?filter_label=probe-{}-03'.format(RUN))
    fact('`GET tags/?filter_label=probe-{}-03` → status {}, count {}, labels {}'.format(
        RUN, r.status, (r.json or {}).get('count'), [t['label'] for t in (r.json or {}).get('results', [])][:5]))
    r = call('GET', 'tags/?filter_label=probe-{}&page_size=100'.format(RUN))
    fact('`GET tags/?filter_label=probe-{}` (prefix) → count {} (filter is a search, not equality)'.format(
        RUN, (r.json or {}).get('count')))
    r = call('GET', 'tags/?filter_nosuchfield=zzz')
    fact('`GET tags/?filter_nosuchfield=zzz` (unknown filter field) → status {}, count {} (unfiltered count {}): '
         'an unknown filter field is silently ignored'.format(
             r.status, (r.json or {}).get('count'), (call('GET', 'tags/').json or {}).get('count')))
    r = call('GET', 'tags/?filter_label=zzz-no-such-tag')
    fact('`GET tags/?filter_label=zzz-no-such-tag` → status {}, count {}'.format(r.status, (r.json or {}).get('count')))
    r = call('GET', 'tags/?filter_label=probe-{}-03&filter_id={}'.format(RUN, tag_ids[5]))
    fact('`filter_label=<tag 03>&filter_id=<tag 05>` → labels {} (several filters are OR-ed)'.format(
        [t['label'][-2:] for t in (r.json or {}).get('results', [])]))
    r = call('GET', 'tags/?filter_label=probe-{}-03&filter_id={}&filter__match_all=true'.format(RUN, tag_ids[5]))
    fact('same with `filter__match_all=true` → count {}'.format((r.json or {}).get('count')))
    r = call('GET', 'tags/?_ordering=-id&page_size=3')
    fact('`GET tags/?_ordering=-id&page_size=3` → ids {}'.format(
        [t['id'] for t in (r.json or {}).get('results', [])]))
    r = call('GET', 'tags/?_ordering=nonsense&page_size=3')
    fact('`GET tags/?_ordering=nonsense` → status {} (invalid ordering term)'.format(r.status))

    # ------------------------------------------------------------------ document types
    section('3. Document types')
    r = call('GET', 'document_types/?page_size=100')
    fact('existing document types: {}'.format([(d['id'], d['label']) for d in (r.json or {}).get('results', [])]))
    dt_label = 'Probe Type {}'.format(RUN)
    r = call('POST', 'document_types/', json_body={'label': dt_label})
    show('create document type', 'POST', 'document_types/', r, req='`{"label": ...}`', body_limit=300)
    dt = (r.json or {}).get('id')
    summary('document type keys (`documents_url`?)', ', '.join(sorted((r.json or {}).keys())))
    r = call('GET', 'document_types/{}/documents/?_ordering=-id'.format(dt))
    fact('`GET document_types/{{id}}/documents/` (the documents of a type) → {} `{}`'.format(
        r.status, r.h('Content-Type')))
    summary('`GET document_types/{id}/documents/`', '{} `{}`'.format(r.status, r.h('Content-Type')))
    show('duplicate document type label', 'POST', 'document_types/',
         call('POST', 'document_types/', json_body={'label': dt_label}))
    r = call('GET', 'document_types/?filter_label=' + urllib.parse.quote(dt_label))
    fact('`filter_label=<exact label>` → count {}, labels {}'.format(
        (r.json or {}).get('count'), [d['label'] for d in (r.json or {}).get('results', [])][:5]))
    r = call('GET', 'document_types/?filter_label=Probe')
    fact('`filter_label=Probe` (a word of the label) → count {}'.format((r.json or {}).get('count')))
    r = call('GET', 'document_types/?filter_label=robe')
    fact('`filter_label=robe` (substring) → count {}'.format((r.json or {}).get('count')))

    # ------------------------------------------------------------------ upload
    section('4. `POST documents/upload/`')
    content = pdf_bytes('probe ' + RUN)
    sha = hashlib.sha256(content).hexdigest()
    t_up = time.time()
    r = call('POST', 'documents/upload/', fields={'document_type_id': dt, 'label': 'probe upload ' + RUN},
             files={'file': ('probe-{}.pdf'.format(RUN), content, 'application/pdf')})
    show('upload', 'POST', 'documents/upload/', r, req='multipart `document_type_id`, `label`, `file`',
         headers=('Content-Type', 'Location', 'Deprecation', 'Sunset', 'Link'), body_limit=2500)
    doc = (r.json or {}).get('id')
    summary('`POST documents/upload/`', '{}; Deprecation `{}`, Sunset `{}`'.format(
        r.status, r.h('Deprecation'), r.h('Sunset')))
    if r.json:
        fact('response body: `file_latest` = `{}`, `version_active` = `{}`, keys `{}`'.format(
            json.dumps(r.json.get('file_latest')), json.dumps(r.json.get('version_active')),
            ', '.join(sorted(r.json.keys()))))

    def doc_state():
        d = call('GET', 'documents/{}/'.format(doc)).json or {}
        return d

    seen = {}

    def poll_doc():
        d = doc_state()
        now = round(time.time() - t_up, 2)
        fl = d.get('file_latest')
        if fl and 'file_latest' not in seen:
            seen['file_latest'] = (now, fl.get('checksum'), fl.get('size'), fl.get('mimetype'))
        if fl and fl.get('checksum') and 'checksum' not in seen:
            seen['checksum'] = now
        if d.get('version_active') and 'version' not in seen:
            seen['version'] = now
        return seen.keys() >= {'file_latest', 'checksum', 'version'} and d

    d, secs = wait_for(poll_doc, timeout=120, interval=0.1)
    if 'file_latest' in seen:
        fact('`file_latest` non-null after **{}s** (first seen with checksum=`{}`, size=`{}`, mimetype=`{}`)'.format(
            *seen['file_latest']))
    fact('`file_latest.checksum` non-null after **{}s**; `version_active` non-null after **{}s**'.format(
        seen.get('checksum'), seen.get('version')))
    summary('checksum of a new file (`file_latest.checksum`)', 'set after {}s, equals SHA-256: {}'.format(
        seen.get('checksum'), bool(d) and d['file_latest'].get('checksum') == sha))
    if d:
        fl = d['file_latest']
        fact('final `file_latest`: `{}`'.format(json.dumps(fl, ensure_ascii=False)[:1500]))
        fact('checksum equals local SHA-256 of the bytes: **{}**'.format(fl.get('checksum') == sha))
        fact('document keys: `{}`'.format(', '.join(sorted(d.keys()))))
        summary('file row keys', ', '.join(sorted(fl.keys())))
        fact('`version_active`: `{}`'.format(json.dumps(d.get('version_active'))[:800]))
        r = call('GET', 'documents/{}/files/{}/pages/'.format(doc, fl['id']))
        fact('pages of the file: count {}'.format((r.json or {}).get('count')))

    # non-ASCII names
    nonascii = 'Prüfbericht Nr. 5 – ÄÖÜ.pdf'
    r = call('POST', 'documents/upload/', fields={'document_type_id': dt, 'label': nonascii},
             files={'file': (nonascii, pdf_bytes('u1 ' + RUN), 'application/pdf')})
    doc_u1 = (r.json or {}).get('id')
    fact('upload with `label` field = filename = `{}` (raw UTF-8 in multipart header): status {}, label `{}`'.format(
        nonascii, r.status, (r.json or {}).get('label')))
    r = call('POST', 'documents/upload/', fields={'document_type_id': dt},
             files={'file': (nonascii, pdf_bytes('u2 ' + RUN), 'application/pdf')})
    doc_u2 = (r.json or {}).get('id')
    fact('upload **without** `label`, same non-ASCII filename: status {}, label `{}`'.format(
        r.status, (r.json or {}).get('label')))
    for which, did in (('with label', doc_u1), ('without label', doc_u2)):
        if not did:
            continue
        d, s = wait_for(lambda: (doc_state_for(did).get('file_latest') or {}).get('checksum')
                        and doc_state_for(did), timeout=60)
        if d:
            fact('  → {}: `file_latest.filename` = `{}`, document `label` = `{}` ({:.1f}s)'.format(
                which, d['file_latest'].get('filename'), d.get('label'), s))

    enc = urllib.parse.quote(nonascii)
    for what, disp in (("only `filename*=UTF-8''…` (RFC 5987/2231)", "filename*=UTF-8''" + enc),
                       ("ASCII fallback `filename=\"Pruefbericht.pdf\"` plus `filename*=UTF-8''…`",
                        'filename="Pruefbericht.pdf"; filename*=UTF-8\'\'' + enc),
                       ('percent-encoded `filename="Pr%C3%BCfbericht…"`', 'filename="{}"'.format(enc))):
        r = call('POST', 'documents/upload/', fields={'document_type_id': dt},
                 files={'file': ('RAW:' + disp, pdf_bytes('enc ' + what), 'application/pdf')})
        did = (r.json or {}).get('id')
        d, s = wait_for(lambda: (doc_state_for(did).get('file_latest') or {}).get('checksum')
                        and doc_state_for(did), timeout=60) if did else (None, 0)
        fact('upload without label, multipart {}: status {}, label `{}`, file_latest.filename `{}`'.format(
            what, r.status, (r.json or {}).get('label') if r.json else r.short(200),
            ((d or {}).get('file_latest') or {}).get('filename')))

    r = call('POST', 'documents/upload/', fields={'document_type_id': dt},
             files={'file': ('no-label-{}.pdf'.format(RUN), pdf_bytes('nl'), 'application/pdf')})
    fact('upload without label, ASCII filename → label `{}`'.format((r.json or {}).get('label')))

    r = call('POST', 'documents/upload/', fields={'document_type_id': 999999},
             files={'file': ('x.pdf', pdf_bytes('x'), 'application/pdf')})
    show('unknown document_type_id', 'POST', 'documents/upload/', r)
    summary('`documents/upload/` with an unknown `document_type_id`', status_and_body(r))
    show('document_type_id not a number', 'POST', 'documents/upload/',
         call('POST', 'documents/upload/', fields={'document_type_id': 'abc'},
              files={'file': ('x.pdf', pdf_bytes('x'), 'application/pdf')}))
    show('missing file part', 'POST', 'documents/upload/',
         call('POST', 'documents/upload/', fields={'document_type_id': dt}))
    show('missing document_type_id', 'POST', 'documents/upload/',
         call('POST', 'documents/upload/', files={'file': ('x.pdf', pdf_bytes('x'), 'application/pdf')}))
    r = call('POST', 'documents/upload/', fields={'document_type_id': dt, 'label': 'txt ' + RUN},
             files={'file': ('note.txt', b'plain text body\n', 'text/plain')})
    txt_doc = (r.json or {}).get('id')
    if txt_doc:
        d, s = wait_for(lambda: ((doc_state_for(txt_doc).get('file_latest') or {}).get('mimetype'))
                        and doc_state_for(txt_doc), timeout=30)
        time.sleep(5)
        d = doc_state_for(txt_doc)
        fl = d.get('file_latest') or {}
        pages = call('GET', 'documents/{}/files/{}/pages/'.format(txt_doc, fl['id'])).json if fl else {}
        fact('plain-text upload (`note.txt`): status {}; checksum set: {}, mimetype `{}` after {:.1f}s; 5 s later '
             '`version_active` = `{}`, file pages count = {} (page counting of non-PDF/non-image files needs '
             'LibreOffice, which this server lacks)'.format(r.status, bool(fl.get('checksum')), fl.get('mimetype'),
                                                             s, d.get('version_active'), (pages or {}).get('count')))

    # ------------------------------------------------------------------ new file
    section('5. `POST documents/{id}/files/` (new file on an existing document)')
    r = call('GET', 'document_file_actions/')
    fact('`GET document_file_actions/` → {} `{}`'.format(r.status, r.short(400)))
    before = {f['id'] for f in (call('GET', 'documents/{}/files/?page_size=100'.format(doc)).json or {})
              .get('results', [])}
    content2 = pdf_bytes('second ' + RUN)
    sha2 = hashlib.sha256(content2).hexdigest()
    comment = 'corr-' + RUN
    t_f = time.time()
    r = call('POST', 'documents/{}/files/'.format(doc),
             fields={'action_name': 'append', 'comment': comment},
             files={'file_new': ('second-{}.pdf'.format(RUN), content2, 'application/pdf')})
    show('append a file', 'POST', 'documents/{id}/files/', r, req='multipart `file_new`, `action_name=append`, '
         '`comment`', headers=('Content-Type', 'Content-Length', 'Location'))
    summary('new file `documents/{id}/files/` with `file_new` + `action_name`', status_and_body(r))
    seen2 = {}

    def poll_files():
        lst = (call('GET', 'documents/{}/files/?_ordering=-id&page_size=100'.format(doc)).json or {})
        new = [f for f in lst.get('results', []) if f['id'] not in before]
        now = round(time.time() - t_f, 2)
        if new and 'row' not in seen2:
            seen2['row'] = (now, new[0].get('checksum'))
        if new and new[0].get('checksum') and 'checksum' not in seen2:
            seen2['checksum'] = now
        return new and new[0].get('checksum') and (lst, new[0])

    res, secs = wait_for(poll_files, timeout=120, interval=0.1)
    if res:
        lst, nf = res
        fact('new file row visible after **{}s** (checksum then `{}`); checksum filled after **{}s**'.format(
            seen2['row'][0], seen2['row'][1], seen2.get('checksum')))
        fact('`GET documents/{{id}}/files/?_ordering=-id` first result: `{}`'.format(
            json.dumps(nf, ensure_ascii=False)[:1200]))
        fact('comment round-trips: **{}**; checksum = local SHA-256: **{}**; order of ids: {}'.format(
            nf.get('comment') == comment, nf.get('checksum') == sha2, [f['id'] for f in lst['results']]))
        r = call('GET', 'documents/{}/files/'.format(doc))
        fact('default order (no `_ordering`): ids {}'.format([f['id'] for f in (r.json or {}).get('results', [])]))
        r = call('GET', 'documents/{}/files/?_ordering=-timestamp'.format(doc))
        fact('`_ordering=-timestamp`: status {}, ids {} (ignored if same as default)'.format(
            r.status, [f['id'] for f in (r.json or {}).get('results', [])]))

        def version_pages():
            dd = doc_state_for(doc)
            va = dd.get('version_active') or {}
            pl = call('GET', va['page_list_url']).json if va.get('page_list_url') else None
            return pl and pl.get('count') == 2 and (va, pl)

        vp, s = wait_for(version_pages, timeout=60)
        fact('after `append`: active version has 2 pages: **{}** ({:.1f}s after the POST)'.format(
            bool(vp), time.time() - t_f))
    r = call('POST', 'documents/{}/files/'.format(doc), fields={'comment': 'x'},
             files={'file_new': ('x.pdf', pdf_bytes('x'), 'application/pdf')})
    show('missing action_name', 'POST', 'documents/{id}/files/', r)
    summary('new file without `action_name`', status_and_body(r))
    r = call('POST', 'documents/{}/files/'.format(doc), fields={'action_name': 'bogus', 'comment': 'bogus-' + RUN},
             files={'file_new': ('x.pdf', pdf_bytes('bogus'), 'application/pdf')})
    show('unknown action_name=bogus', 'POST', 'documents/{id}/files/', r)
    summary('new file with `action_name=bogus`', status_and_body(r))
    r = call('POST', 'documents/{}/files/'.format(doc), fields={'action_name': 'append'})
    show('missing file_new', 'POST', 'documents/{id}/files/', r)
    r = call('POST', 'documents/999999/files/', fields={'action_name': 'append'},
             files={'file_new': ('x.pdf', pdf_bytes('x'), 'application/pdf')})
    show('unknown document', 'POST', 'documents/999999/files/', r)
    r = call('POST', 'documents/{}/files/'.format(doc), fields={'action_name': 'keep', 'comment': 'fn-' + RUN,
                                                                'filename': 'Überschrieben.pdf'},
             files={'file_new': ('orig.pdf', pdf_bytes('fn ' + RUN), 'application/pdf')})
    fact('`action_name=keep` with explicit `filename=Überschrieben.pdf`: status {}'.format(r.status))

    def kept():
        lst = (call('GET', 'documents/{}/files/?_ordering=-id&page_size=100'.format(doc)).json or {})
        m = [f for f in lst.get('results', []) if f.get('comment') == 'fn-' + RUN and f.get('checksum')]
        return m and m[0]

    f, s = wait_for(kept, timeout=60)
    if f:
        fact('  → stored `filename` = `{}` (multipart filename was `orig.pdf`)'.format(f.get('filename')))

    # ------------------------------------------------------------------ metadata
    section('6. Metadata')
    mt_regex = call('POST', 'metadata_types/', json_body={
        'name': 'probe_reg_' + RUN.replace('-', '_'), 'label': 'Probe reg',
        'validation': 'mayan.apps.metadata.metadata_validators.RegularExpressionValidator',
        'validation_arguments': 'pattern: ^\\d{6}$'})
    show('metadata type with RegularExpressionValidator', 'POST', 'metadata_types/', mt_regex,
         req="`validation_arguments: \"pattern: ^\\\\d{6}$\"`", body_limit=500)
    mt_lookup = call('POST', 'metadata_types/', json_body={
        'name': 'probe_cur_' + RUN.replace('-', '_'), 'label': 'Probe currency', 'lookup': 'EUR,USD,CHF'})
    show('metadata type with lookup', 'POST', 'metadata_types/', mt_lookup, body_limit=300)
    mt_req = call('POST', 'metadata_types/', json_body={'name': 'probe_req_' + RUN.replace('-', '_'),
                                                        'label': 'Probe required'})
    mt_other = call('POST', 'metadata_types/', json_body={'name': 'probe_oth_' + RUN.replace('-', '_'),
                                                          'label': 'Probe unattached'})
    r = call('POST', 'metadata_types/', json_body={'name': 'probe_bad_' + RUN.replace('-', '_'), 'label': 'x',
                                                    'validation': 'no.such.Validator'})
    show('metadata type with bad validator path', 'POST', 'metadata_types/', r)
    summary('metadata type with an unknown validator path', status_and_body(r, 100))
    show('duplicate metadata type name', 'POST', 'metadata_types/', call(
        'POST', 'metadata_types/', json_body={'name': 'probe_req_' + RUN.replace('-', '_'), 'label': 'dup'}))
    show('metadata type name with a dash', 'POST', 'metadata_types/', call(
        'POST', 'metadata_types/', json_body={'name': 'probe-dash-' + RUN, 'label': 'dash'}))
    ids = {k: (v.json or {}).get('id') for k, v in
           (('regex', mt_regex), ('lookup', mt_lookup), ('req', mt_req), ('other', mt_other))}
    r = call('GET', 'metadata_types/?filter_name=probe_req_' + RUN.replace('-', '_'))
    fact('`metadata_types/?filter_name=<name>` → count {}'.format((r.json or {}).get('count')))

    rel = {}
    for k, required in (('regex', False), ('lookup', False), ('req', True)):
        r = call('POST', 'document_types/{}/metadata_types/'.format(dt),
                 json_body={'metadata_type_id': ids[k], 'required': required})
        rel[k] = (r.json or {}).get('id')
        if k == 'req':
            if r.json:
                r.json = {k2: (v if k2 not in ('document_type', 'metadata_type') else '{…}')
                          for k2, v in r.json.items()}
            show('attach metadata type to document type (required)', 'POST',
                 'document_types/{dt}/metadata_types/', r, req='`{"metadata_type_id", "required": true}`',
                 body_limit=900)
    show('attach the same metadata type again', 'POST', 'document_types/{dt}/metadata_types/',
         call('POST', 'document_types/{}/metadata_types/'.format(dt),
              json_body={'metadata_type_id': ids['req'], 'required': True}))
    fact('relation ids vs metadata type ids: {}'.format({k: (rel[k], ids[k]) for k in rel}))

    # a new document of this type, after attaching a required type
    r = call('POST', 'documents/upload/', fields={'document_type_id': dt, 'label': 'meta ' + RUN},
             files={'file': ('meta.pdf', pdf_bytes('meta ' + RUN), 'application/pdf')})
    mdoc = (r.json or {}).get('id')
    time.sleep(1)
    r = call('GET', 'documents/{}/metadata/'.format(mdoc))
    fact('metadata of a document uploaded *after* a required type was attached (1s later): count {} `{}`'.format(
        (r.json or {}).get('count'), r.short(300)))
    r = call('GET', 'documents/{}/metadata/'.format(doc))
    fact('metadata of a document that existed *before* the required type was attached: count {} values {}'.format(
        (r.json or {}).get('count'), [(m['metadata_type']['name'], m['value'])
                                     for m in (r.json or {}).get('results', [])]))

    def post_md(mt, value, title, limit=900):
        rr = call('POST', 'documents/{}/metadata/'.format(mdoc), json_body={'metadata_type_id': mt, 'value': value})
        if rr.status == 201 and rr.json:
            rr.json = {k: (v if k not in ('document', 'metadata_type') else '{…}') for k, v in rr.json.items()}
        show(title, 'POST', 'documents/{id}/metadata/', rr, req='`{{"metadata_type_id": {}, "value": {}}}`'.format(
            mt, json.dumps(value, ensure_ascii=False)), body_limit=limit)
        return rr

    ok = post_md(ids['regex'], '123456', 'valid regex value')
    summary('metadata `POST documents/{id}/metadata/` valid', '{}'.format(ok.status))
    summary('metadata value not in lookup', status_and_body(post_md(ids['lookup'], 'GBP', 'value not in lookup')))
    post_md(ids['lookup'], 'eur', 'lookup value in another case')
    post_md(ids['lookup'], 'EUR', 'valid lookup value', limit=200)
    summary('metadata type not attached to the document type', status_and_body(
        post_md(ids['other'], 'x', 'metadata type not attached to the document type')))
    post_md(ids['regex'], '654321', 'duplicate (type already set on the document)')
    post_md(999999, 'x', 'unknown metadata_type_id')
    r = call('GET', 'documents/{}/metadata/'.format(mdoc))
    rows = {m['metadata_type']['id']: m for m in (r.json or {}).get('results', [])}
    fact('after these, `GET documents/{{id}}/metadata/` = {}'.format(
        [(m['id'], m['metadata_type']['name'], m['value']) for m in rows.values()]))
    if ids['req'] in rows:
        row = rows[ids['req']]
        rr = call('PATCH', 'documents/{}/metadata/{}/'.format(mdoc, row['id']), json_body={'value': ''})
        show('empty value for the *required* type (PATCH existing row)', 'PATCH', 'documents/{id}/metadata/{row}/',
             rr)
        rr = call('PATCH', 'documents/{}/metadata/{}/'.format(mdoc, row['id']), json_body={'value': 'filled'})
        show('PATCH required row with a value', 'PATCH', 'documents/{id}/metadata/{row}/', rr, body_limit=200)
    else:
        post_md(ids['req'], '', 'empty value for the required type')
        post_md(ids['req'], 'filled', 'value for the required type', limit=200)
    # invalid regex on a fresh document (the first one already has the regex type set)
    r = call('POST', 'documents/upload/', fields={'document_type_id': dt, 'label': 'meta2 ' + RUN},
             files={'file': ('meta2.pdf', pdf_bytes('meta2 ' + RUN), 'application/pdf')})
    mdoc2 = (r.json or {}).get('id')
    rr = call('POST', 'documents/{}/metadata/'.format(mdoc2),
              json_body={'metadata_type_id': ids['regex'], 'value': '12345x'})
    show('value not matching `^\\d{6}$`', 'POST', 'documents/{id}/metadata/', rr)
    summary('metadata value not matching the regex', status_and_body(rr))
    rr = call('POST', 'documents/{}/metadata/'.format(mdoc2),
              json_body={'metadata_type_id': ids['regex'], 'value': '1234567'})
    show('7 digits against `^\\d{6}$`', 'POST', 'documents/{id}/metadata/', rr)
    rr = call('POST', 'documents/{}/metadata/'.format(mdoc2), json_body={'metadata_type_id': ids['req'],
                                                                       'value': ''})
    show('empty value for the required type (POST, second document)', 'POST', 'documents/{id}/metadata/', rr)
    summary('metadata: empty value for a required type', status_and_body(rr))
    rr = call('POST', 'documents/{}/metadata/'.format(mdoc2), json_body={'metadata_type_id': ids['lookup']})
    if rr.json and rr.status == 201:
        rr.json = {k: (v if k not in ('document', 'metadata_type') else '{…}') for k, v in rr.json.items()}
    show('POST without `value` (lookup type, not required)', 'POST', 'documents/{id}/metadata/', rr)
    time.sleep(3)
    r = call('GET', 'documents/{}/metadata/'.format(mdoc2))
    fact('document uploaded after the required type was attached, ~5 s later: metadata {}'.format(
        [(m['metadata_type']['name'], m['value']) for m in (r.json or {}).get('results', [])]))

    if ok.json and ok.json.get('id'):
        row = ok.json['id']
        rr = call('PATCH', 'documents/{}/metadata/{}/'.format(mdoc, row), json_body={'value': '999999'})
        if rr.json and rr.status == 200:
            rr.json = {k: (v if k not in ('document', 'metadata_type') else '{…}') for k, v in rr.json.items()}
        show('PATCH existing row, valid', 'PATCH', 'documents/{id}/metadata/{row}/', rr, body_limit=300)
        show('PATCH existing row, invalid', 'PATCH', 'documents/{id}/metadata/{row}/',
             call('PATCH', 'documents/{}/metadata/{}/'.format(mdoc, row), json_body={'value': 'abc'}))
        show('PATCH without `value`', 'PATCH', 'documents/{id}/metadata/{row}/',
             call('PATCH', 'documents/{}/metadata/{}/'.format(mdoc, row), json_body={}), body_limit=300)
        show('PATCH with metadata type id instead of row id', 'PATCH', 'documents/{id}/metadata/{mt_id}/',
             call('PATCH', 'documents/{}/metadata/{}/'.format(mdoc, ids['regex']), json_body={'value': '111111'}),
             note='(row id {}, metadata type id {})'.format(row, ids['regex']))
        rows = [m for m in (call('GET', 'documents/{}/metadata/'.format(mdoc)).json or {}).get('results', [])]
        if rows:
            fact('a metadata row: keys `{}`; `metadata_type` = `{}`'.format(
                ', '.join(sorted(rows[0].keys())), json.dumps(rows[0]['metadata_type'], ensure_ascii=False)))
    req_rows = [m for m in (call('GET', 'documents/{}/metadata/'.format(mdoc)).json or {}).get('results', [])
                if m['metadata_type']['id'] == ids['req']]
    if req_rows:
        show('DELETE a required metadata row', 'DELETE', 'documents/{id}/metadata/{row}/',
             call('DELETE', 'documents/{}/metadata/{}/'.format(mdoc, req_rows[0]['id'])))

    # ------------------------------------------------------------------ tags
    section('7. Tags')
    show('tag without color', 'POST', 'tags/', call('POST', 'tags/', json_body={'label': 'nocolor-' + RUN}),
         body_limit=300)
    show('tag with color', 'POST', 'tags/', call('POST', 'tags/', json_body={'label': 'color-' + RUN,
                                                                           'color': '#ff0000'}), body_limit=300)
    show('duplicate tag label', 'POST', 'tags/', call('POST', 'tags/', json_body={'label': 'color-' + RUN,
                                                                                'color': '#ff0000'}))
    show('color not #rrggbb', 'POST', 'tags/', call('POST', 'tags/', json_body={'label': 'badcolor-' + RUN,
                                                                              'color': 'red'}), body_limit=300)
    r = call('POST', 'documents/{}/tags/attach/'.format(doc), json_body={'tag': tag_ids[0]})
    show('attach tag', 'POST', 'documents/{id}/tags/attach/', r, req='`{"tag": id}`',
         headers=('Content-Type', 'Content-Length'))
    summary('tag attach `documents/{id}/tags/attach/`', status_and_body(r))
    show('attach same tag again', 'POST', 'documents/{id}/tags/attach/',
         call('POST', 'documents/{}/tags/attach/'.format(doc), json_body={'tag': tag_ids[0]}))
    show('attach unknown tag', 'POST', 'documents/{id}/tags/attach/',
         call('POST', 'documents/{}/tags/attach/'.format(doc), json_body={'tag': 999999}))
    show('attach tag to unknown document', 'POST', 'documents/999999/tags/attach/',
         call('POST', 'documents/999999/tags/attach/', json_body={'tag': tag_ids[0]}))
    r = call('GET', 'documents/{}/tags/'.format(doc))
    fact('`GET documents/{{id}}/tags/` → count {}, first `{}`'.format(
        (r.json or {}).get('count'), json.dumps(((r.json or {}).get('results') or [None])[0])[:500]))

    # ------------------------------------------------------------------ cabinets
    section('8. Cabinets')

    def find_cabinet(label, parent_id):
        lst = (call('GET', 'cabinets/?page_size=100').json or {}).get('results', [])
        return next((c['id'] for c in lst if c['label'] == label and c.get('parent_id') == parent_id), None)

    r = call('POST', 'cabinets/', json_body={'label': 'NoParent-' + RUN})
    show('root cabinet without `parent`', 'POST', 'cabinets/', r, req='`{"label"}`')
    summary('root cabinet `{"label"}` (no `parent`)', status_and_body(r))
    r = call('POST', 'cabinets/', json_body={'label': 'Engineering', 'parent': None})
    summary('root cabinet `{"label", "parent": null}`', '{}'.format(r.status))
    show('root cabinet `Engineering` with `"parent": null`', 'POST', 'cabinets/', r, req='`{"label", "parent": null}`',
         body_limit=800)
    eng = (r.json or {}).get('id') if r.status == 201 else None
    if not eng:
        eng = find_cabinet('Engineering', None)
        fact('(`Engineering` already existed from an earlier probe run: id {}; the answer above is the '
             'duplicate-root answer)'.format(eng))
    show('child via `parent_id` only', 'POST', 'cabinets/',
         call('POST', 'cabinets/', json_body={'label': 'PidOnly-' + RUN, 'parent_id': eng}),
         req='`{"label", "parent_id": <id>}`', body_limit=400)
    r = call('POST', 'cabinets/', json_body={'label': 'Drawings', 'parent': eng})
    show('child `Drawings` via `parent`', 'POST', 'cabinets/', r, req='`{"label", "parent": <id>}`', body_limit=800)
    summary('child cabinet `{"label", "parent": <id>}`', '{}; `full_path` `{}`'.format(
        r.status, (r.json or {}).get('full_path')))
    drw = (r.json or {}).get('id') if r.status == 201 else None
    if not drw:
        drw = find_cabinet('Drawings', eng)
    show('duplicate child label under same parent', 'POST', 'cabinets/',
         call('POST', 'cabinets/', json_body={'label': 'Drawings', 'parent': eng}))
    show('duplicate root label', 'POST', 'cabinets/',
         call('POST', 'cabinets/', json_body={'label': 'Engineering', 'parent': None}))
    show('unknown parent', 'POST', 'cabinets/',
         call('POST', 'cabinets/', json_body={'label': 'x-' + RUN, 'parent': 999999}))
    r = call('GET', 'cabinets/{}/'.format(eng))
    fact('parent cabinet after adding children: `children` = `{}`'.format(
        json.dumps((r.json or {}).get('children'), ensure_ascii=False)[:600]))
    if drw:
        r = call('GET', 'cabinets/{}/'.format(drw))
        fact('child cabinet: **`full_path` = `{}`**, `parent_id` = {}, `parent` = {}, `parent_url` = `{}`'.format(
            (r.json or {}).get('full_path'), (r.json or {}).get('parent_id'), (r.json or {}).get('parent'),
            (r.json or {}).get('parent_url')))
        r = call('POST', 'cabinets/{}/documents/add/'.format(drw), json_body={'document': doc})
        show('add document to cabinet', 'POST', 'cabinets/{id}/documents/add/', r,
             req='`{"document": id}`', headers=('Content-Type', 'Content-Length'))
        summary('add to cabinet `cabinets/{id}/documents/add/`', status_and_body(r))
        show('add same document again', 'POST', 'cabinets/{id}/documents/add/',
             call('POST', 'cabinets/{}/documents/add/'.format(drw), json_body={'document': doc}))
        show('add unknown document', 'POST', 'cabinets/{id}/documents/add/',
             call('POST', 'cabinets/{}/documents/add/'.format(drw), json_body={'document': 999999}))
        show('add to unknown cabinet', 'POST', 'cabinets/999999/documents/add/',
             call('POST', 'cabinets/999999/documents/add/', json_body={'document': doc}))
        r = call('GET', 'documents/{}/cabinets/'.format(doc))
        fact('`GET documents/{{id}}/cabinets/` → count {}, full_paths {}'.format(
            (r.json or {}).get('count'), [c.get('full_path') for c in (r.json or {}).get('results', [])]))
        r = call('GET', 'cabinets/{}/documents/'.format(drw))
        fact('`GET cabinets/{{id}}/documents/` → count {}'.format((r.json or {}).get('count')))
    r = call('GET', 'cabinets/?filter_label=Drawings')
    fact('`cabinets/?filter_label=Drawings` → count {}'.format((r.json or {}).get('count')))
    r = call('GET', 'cabinets/?filter_full_path=' + urllib.parse.quote('Engineering / Drawings'))
    fact('`cabinets/?filter_full_path=…` → status {}, count {}'.format(r.status, (r.json or {}).get('count')))

    # ------------------------------------------------------------------ sources (replacement upload API)
    section('9. Sources API (the documented replacement for the deprecated `documents/upload/`)')
    r = call('GET', 'sources/')
    srcs = (r.json or {}).get('results', [])
    fact('`GET sources/` → {} `{}`'.format(r.status, r.short(700)))
    summary('`GET sources/`', '{}; {}'.format(r.status, [(x.get('id'), x.get('label'), (x.get('backend_path') or '')
                                                          .rsplit('.', 1)[-1]) for x in srcs]))
    if srcs:
        sid = srcs[0]['id']
        r = call('GET', 'sources/{}/actions/'.format(sid))
        acts = (r.json or {}).get('results', [])
        fact('`GET sources/{}/actions/` → {}; actions {}'.format(sid, r.status, [
            (a.get('name'), a.get('confirmation'), a.get('accept_files')) for a in acts]))
        summary('`GET sources/{id}/actions/`', '{}; {}'.format(r.status, [a.get('name') for a in acts]))
        for a in acts:
            for i in a.get('interfaces', []):
                if i.get('name') == 'RESTAPI':
                    fact('  `{}` RESTAPI arguments: {}'.format(a.get('name'), ', '.join(
                        '`{}`{}'.format(x['name'], ' (required)' if x.get('required') else '')
                        for x in i.get('arguments', []))))
        show('unknown action name', 'POST', 'sources/{sid}/actions/upload/execute/',
             call('POST', 'sources/{}/actions/upload/execute/'.format(sid), fields={'arguments': '{}'},
                  files={'file': ('x.pdf', pdf_bytes('x'), 'application/pdf')}), body_limit=200)
        for imm in (False, True):
            args = {'document_type_id': dt, 'label': 'via source imm={} {}'.format(imm, RUN), 'immediate_mode': imm}
            r = call('POST', 'sources/{}/actions/document_upload/execute/'.format(sid),
                     fields={'arguments': json.dumps(args)},
                     files={'file': ('src-{}.pdf'.format(RUN), pdf_bytes('src {} {}'.format(imm, RUN)),
                                     'application/pdf')})
            show('`document_upload`, immediate_mode={}'.format(imm), 'POST',
                 'sources/{sid}/actions/document_upload/execute/', r,
                 req='multipart `arguments=' + json.dumps(args).replace(
                     '"document_type_id": {}'.format(dt), '"document_type_id": <dt>') + '`, `file`',
                 headers=('Content-Type', 'Location', 'Content-Length', 'Deprecation'), body_limit=700)
            summary('source `document_upload`, `immediate_mode: {}`'.format(json.dumps(imm)), '{}{}; Deprecation `{}`'.format(
                r.status, ', document id {}'.format(r.json.get('id')) if isinstance(r.json, dict) and r.json.get('id')
                else ', body `{}`'.format(r.short(120).replace('|', '\\|')), r.h('Deprecation')))
        show('`document_upload` with unknown document_type_id', 'POST',
             'sources/{sid}/actions/document_upload/execute/',
             call('POST', 'sources/{}/actions/document_upload/execute/'.format(sid),
                  fields={'arguments': json.dumps({'document_type_id': 999999})},
                  files={'file': ('x.pdf', pdf_bytes('x'), 'application/pdf')}), body_limit=400)
        args = {'document_id': doc, 'comment': 'src-file-' + RUN, 'document_file_action_name': 'keep'}
        r = call('POST', 'sources/{}/actions/document_file_upload/execute/'.format(sid),
                 fields={'arguments': json.dumps(args)},
                 files={'file': ('srcfile.pdf', pdf_bytes('srcfile ' + RUN), 'application/pdf')})
        summary('source `document_file_upload` (`document_file_action_name`)', status_and_body(r))
        show('`document_file_upload`', 'POST', 'sources/{sid}/actions/document_file_upload/execute/', r,
             req='multipart `arguments={"document_id", "comment", "document_file_action_name"}`, `file`',
             headers=('Content-Type', 'Content-Length'), body_limit=700)
        time.sleep(3)
        r = call('GET', 'documents/?filter_label=' + urllib.parse.quote('via source') + '&page_size=100')
        fact('documents created through the source action (after ~3 s): {}'.format(
            [(d['id'], d['label'], bool(d.get('file_latest'))) for d in (r.json or {}).get('results', [])
             if RUN in d['label']]))
        r = call('GET', 'documents/{}/files/?_ordering=-id'.format(doc))
        seen_src = any(f.get('comment') == 'src-file-' + RUN for f in (r.json or {}).get('results', []))
        fact('file added through `document_file_upload` visible (comment match): {}'.format(seen_src))
        summary('file added through `document_file_upload` visible after ~3 s', '{}'.format(seen_src))

    # ------------------------------------------------------------------ 404 etc
    section('10. Errors')
    r = call('GET', 'documents/999999/')
    show('unknown document', 'GET', 'documents/999999/', r)
    summary('`GET documents/999999/`', status_and_body(r))
    show('unknown document type', 'GET', 'document_types/999999/', call('GET', 'document_types/999999/'))
    r = call('GET', 'nosuchthing/')
    show('unknown endpoint', 'GET', 'nosuchthing/', r, body_limit=200)
    summary('unknown API path', '{} `{}`'.format(r.status, r.h('Content-Type')))
    show('malformed JSON', 'POST', 'tags/', call('POST', 'tags/', raw_body=b'{', headers={
        'Content-Type': 'application/json'}))
    r = call('POST', 'sources/1/actions/no_such_action/execute/', fields={'arguments': '{}'})
    summary('a server error (unknown source action)', '{} `{}`'.format(r.status, r.h('Content-Type')))

    # ------------------------------------------------------------------ throttling
    section('11. Throttling')
    out('(429s hit and retried by the probe before this section: {} {})'.format(
        len(THROTTLED), THROTTLED[:5]))
    results = []
    t0 = time.time()
    for _ in range(60):
        results.append(call('GET', 'tags/?page_size=1', retry_429=False))
    el = time.time() - t0
    n429 = [x for x in results if x.status == 429]
    fact('60 sequential GETs (Token auth) in {:.2f}s ({:.0f}/s): {} × 200, **{} × 429**'.format(
        el, 60 / el, sum(1 for x in results if x.status == 200), len(n429)))
    summary('throttling: 60 sequential Token GETs', '{:.0f}/s, {} × 429, Retry-After {}'.format(
        60 / el, len(n429), sorted({x.h('Retry-After') for x in n429})))
    if n429:
        show('a throttled answer', 'GET', 'tags/?page_size=1', n429[0], headers=('Content-Type', 'Retry-After'))
        fact('Retry-After values seen: {}'.format(sorted({x.h('Retry-After') for x in n429})))
    time.sleep(2)
    results = []
    lock = threading.Lock()

    def worker():
        for _ in range(15):
            rr = call('GET', 'tags/?page_size=1', retry_429=False, auth=auth_tok)
            with lock:
                results.append(rr)

    t0 = time.time()
    th = [threading.Thread(target=worker) for _ in range(4)]
    for t in th:
        t.start()
    for t in th:
        t.join()
    el = time.time() - t0
    n429 = [x for x in results if x.status == 429]
    fact('60 GETs from 4 threads (Token auth) in {:.2f}s ({:.0f}/s): {} × 200, **{} × 429**, Retry-After {}'.format(
        el, 60 / el, sum(1 for x in results if x.status == 200), len(n429),
        sorted({x.h('Retry-After') for x in n429})))
    time.sleep(2)
    results = [call('GET', 'document_types/', auth=None, retry_429=False) for _ in range(30)]
    n429 = [x for x in results if x.status == 429]
    fact('30 anonymous sequential GETs: {} × 429{}'.format(
        len(n429), (', body `{}`, Retry-After {}'.format(n429[0].short(200), n429[0].h('Retry-After'))
                    if n429 else '')))
    time.sleep(2)
    results = [call('POST', 'auth/token/obtain/', json_body={'username': USER, 'password': PASSWORD}, auth=None,
                    retry_429=False) for _ in range(30)]
    fact('30 sequential token obtains: {} × 429'.format(sum(1 for x in results if x.status == 429)))

    # ------------------------------------------------------------------ field names of older releases
    section('12. New-file field names: `file_new`/`action_name` (4.5+?) against `file`/`action` (older)')
    time.sleep(2)
    # Before 4.5 the action is an id from `document_file_actions/` ("1" replace, "2" append, "3" keep in 4.4).
    actions = (call('GET', 'document_file_actions/').json or {}).get('results', [])
    keep = next((str(a.get('id')) for a in actions if str(a.get('label', '')).lower().startswith('keep')), 'keep')
    variants = [('file_new', 'action_name', 'keep'), ('file', 'action', 'keep'), ('file', 'action_name', 'keep'),
                ('file_new', 'action', 'keep')]
    if keep != 'keep':
        variants.append(('file_new', 'action', keep))
    for names in variants:
        comment = 'names-{}-{}-{}-{}'.format(names[0], names[1], names[2], RUN)
        r = call('POST', 'documents/{}/files/'.format(doc), fields={names[1]: names[2], 'comment': comment},
                 files={names[0]: ('names.pdf', pdf_bytes(comment), 'application/pdf')})
        show('`{}` + `{}={}`'.format(*names), 'POST', 'documents/{id}/files/', r,
             headers=('Content-Type', 'Content-Length'), body_limit=300)
        stored, secs = wait_for(lambda: any(f.get('comment') == comment for f in (call(
            'GET', 'documents/{}/files/?_ordering=-id&page_size=100'.format(doc)).json or {}).get('results', [])),
            timeout=20 if r.status < 300 else 0.1, interval=0.5)
        fact('  → a file with that comment stored: **{}**'.format(bool(stored)))
        summary('new file with `{}` + `{}={}`'.format(*names), '{}; stored: {}'.format(
            status_and_body(r, 120), bool(stored)))

    section('13. Release dialect summary')
    out('| topic | observed on {} |'.format(info.get('__version__')))
    out('|---|---|')
    for topic, observed in SUMMARY:
        out('| {} | {} |'.format(topic, observed))
    out()
    out('_probe finished in {:.0f}s_'.format(time.time() - t_start))
    print('\n'.join(OUT))


def doc_state_for(did):
    return call('GET', 'documents/{}/'.format(did)).json or {}


if __name__ == '__main__':
    main()
