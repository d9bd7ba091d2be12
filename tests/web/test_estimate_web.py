"""Estimation pages and /api/estimate: pre-filled forms, shareable URLs, field errors, the
JSON contract (snapshot), the drill form with CSRF."""

from __future__ import annotations

import json
import re

import pytest

from loopprep.services import estimate as svc
from tests.web.conftest import csrf

CONTRACT_KEYS = {"result", "steps", "inputs", "warnings"}


@pytest.mark.parametrize("calc_id", list(svc.CALCULATORS))
def test_calculator_page_prefilled_with_a_derivation(client, calc_id: str) -> None:  # noqa: ANN001
    r = client.get(f"/estimate/{calc_id}")
    assert r.status_code == 200
    assert 'class="card whiteboard"' in r.text and "The working" in r.text
    for name in svc.CALCULATORS[calc_id].params.model_fields:
        assert f'name="{name}"' in r.text
    assert f"/estimate/{calc_id}?" in r.text  # the shareable link


def test_query_string_drives_the_result_and_the_share_link(client) -> None:  # noqa: ANN001
    r = client.get("/estimate/kv?model=gemma-2-9b&kv_dtype=bf16&context=1&batch=1&tp=1")
    assert r.status_code == 200
    assert "344,064 bytes" in r.text
    assert '<option value="gemma-2-9b" selected>' in r.text
    share = re.search(r'id="share-link"', r.text)
    assert share and "model=gemma-2-9b" in r.text
    assert "head_dim" in r.text  # Gemma's head_dim warning


def test_bad_input_is_a_422_with_the_message_at_the_field(client) -> None:  # noqa: ANN001
    r = client.get("/estimate/qps?dau=-5")
    assert r.status_code == 422
    assert 'id="dau-error"' in r.text and "greater than 0" in r.text
    assert 'value="-5"' in r.text  # the user's input is kept
    r = client.get("/estimate/kv-budget?model=llama-3-70b&tp=1")
    assert r.status_code == 422 and 'id="tp-error"' in r.text and "short by" in r.text
    r = client.get("/estimate/kv?model=nope")
    assert r.status_code == 422 and "Known models" in r.text


def test_unknown_calculator_is_404(client) -> None:  # noqa: ANN001
    assert client.get("/estimate/nope").status_code == 404
    assert client.get("/api/estimate/nope").status_code == 404


def test_api_contract_snapshot(client) -> None:  # noqa: ANN001
    body = client.get("/api/estimate/kv?model=llama-3-70b&kv_dtype=bf16&context=2500&batch=4&tp=2").json()
    assert set(body) == CONTRACT_KEYS
    assert body["result"]["kv_bytes_per_token"] == {"value": 327680.0, "unit": "bytes"}
    assert body["result"]["kv_bytes_per_token_per_gpu"] == {"value": 163840.0, "unit": "bytes"}
    assert body["inputs"] == {"model": "llama-3-70b", "kv_dtype": "bf16", "context": 2500, "batch": 4, "tp": 2}
    assert body["steps"][0] == {
        "label": "KV per token (all layers, one copy)",
        "formula": "2 x 80 layers x 8 KV heads x 128 head_dim x 2 bytes",
        "value": 327680.0,
        "unit": "bytes",
    }
    for step in body["steps"]:
        assert set(step) == {"label", "formula", "value", "unit"}
    assert body["warnings"] == []


def test_api_matches_the_service(client) -> None:  # noqa: ANN001
    for calc_id in svc.CALCULATORS:
        body = client.get(f"/api/estimate/{calc_id}").json()
        assert body == svc.run(None, calc_id, {}).model_dump(mode="json")


def test_api_errors(client) -> None:  # noqa: ANN001
    r = client.get("/api/estimate/qps?dau=0")
    assert r.status_code == 422 and "dau" in r.json()["fields"]
    r = client.get("/api/estimate/kv-budget?gpu=zzz")
    assert r.status_code == 422 and r.json()["fields"] == {"gpu": "Unknown GPU 'zzz'."}
    r = client.get("/api/estimate/train?mfu=2")
    assert r.status_code == 422 and "mfu" in r.json()["fields"]


def test_presets_and_check_pages(client) -> None:  # noqa: ANN001
    r = client.get("/estimate")
    assert r.status_code == 200 and "70,553,706,496" in r.text and "huggingface.co" in r.text
    r = client.get("/estimate/check")
    assert r.status_code == 200
    assert "327,680 bytes = 0.328 MB = 0.3125 MiB" in r.text and "9.45 GB" in r.text and "15.35 GB" in r.text
    api = client.get("/api/estimate/check").json()
    assert len(api["claims"]) == sum(api["counts"].values())
    assert client.get("/api/estimate/presets").json()["models"][0]["source"]["url"].startswith("https://")


def test_drill_page_and_answer(client) -> None:  # noqa: ANN001
    r = client.get("/estimate/drill?kind=qps&seed=5")
    assert r.status_code == 200 and 'id="est-countdown"' in r.text and "Peak QPS" in r.text
    token = client.cookies.get("loopprep_csrf") or csrf(client)
    r = client.post(
        "/estimate/drill", data={"csrf_token": token, "kind": "qps", "seed": "5", "answer": "abc", "issued": "0"}
    )
    assert r.status_code == 422 and 'id="answer-error"' in r.text and "not a number" in r.text
    truth = client.get("/api/estimate/drill?kind=qps&seed=5").json()
    assert truth["seed"] == 5
    from loopprep.engines.estimate.drills import make_drill

    value = make_drill("qps", 5, svc.presets().world()).truth
    r = client.post(
        "/estimate/drill",
        data={"csrf_token": token, "kind": "qps", "seed": "5", "answer": f"{value:.6f}", "issued": "x"},
    )
    assert r.status_code == 200 and "Exact (within 10 %)" in r.text and "The reference chain" in r.text
    hist = client.get("/api/estimate/drills/history").json()
    assert hist["total"] == 1


def test_drill_form_needs_csrf(client) -> None:  # noqa: ANN001
    r = client.post("/estimate/drill", data={"kind": "qps", "seed": "5", "answer": "10"})
    assert r.status_code == 403
    assert client.get("/api/estimate/drills/history").json()["total"] == 0


def test_api_drill_answer_is_json_only(client) -> None:  # noqa: ANN001
    r = client.post("/api/estimate/drill", json={"kind": "qps", "seed": 5, "answer": 100})
    assert r.status_code == 200 and r.json()["grade"] in ("exact", "good", "order", "off")
    r = client.post("/api/estimate/drill", data={"kind": "qps", "seed": "5", "answer": "100"})
    assert r.status_code == 415
    r = client.post("/api/estimate/drill", json={"kind": "nope", "seed": 5, "answer": 100})
    assert r.status_code == 422 and "kind" in r.json()["fields"]


def test_add_a_model_from_the_web(client) -> None:  # noqa: ANN001
    from tests.services.test_estimate_service import QWEN_CONFIG

    page = client.get("/estimate")
    token = client.cookies.get("loopprep_csrf")
    assert token and f'value="{token}"' in page.text
    r = client.post(
        "/estimate/models", data={"csrf_token": token, "name": "qwen-copy", "config": json.dumps(QWEN_CONFIG)}
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/estimate?added=user-qwen-copy")
    assert "user-qwen-copy" in client.get("/estimate?added=user-qwen-copy").text
    body = client.get("/api/estimate/weights?model=user-qwen-copy").json()
    assert body["result"]["parameters"]["value"] == 7_615_616_512
    bad = dict(QWEN_CONFIG, num_key_value_heads=5)
    r = client.post("/estimate/models", data={"csrf_token": token, "name": "bad", "config": json.dumps(bad)})
    assert r.status_code == 422 and 'id="config-error"' in r.text and "divide" in r.text
    r = client.post("/estimate/models", data={"csrf_token": token, "name": "ok", "config": "{nope"})
    assert r.status_code == 422 and "not valid JSON" in r.text
    r = client.post("/estimate/models", data={"name": "x", "config": "{}"})
    assert r.status_code == 403


def test_kv_budget_form_reads_gib_by_default_and_the_box_can_switch_it_off(client) -> None:  # noqa: ANN001
    page = client.get("/estimate/kv-budget?memory_utilization=1")
    assert page.status_code == 200 and "93,662" in page.text
    assert 'name="binary" value="false"' in page.text  # an unticked box still sends "false"
    # the form as a browser submits it with the box unticked: only the hidden "false"
    off = client.get("/estimate/kv-budget?memory_utilization=1&binary=false")
    assert off.status_code == 200 and "57,655" in off.text
    on = client.get("/estimate/kv-budget?memory_utilization=1&binary=false&binary=true")
    assert "93,662" in on.text


def test_check_page_shows_the_span_and_exact_quotes(client) -> None:  # noqa: ANN001
    page = client.get("/estimate/check")
    assert page.status_code == 200
    assert "93,662" in page.text and "41,233" in page.text
    assert "→ 500 H100s for a 70B model" in page.text
    assert "500 H100s for a 70B model (at" not in page.text  # no gloss inside the quotation
    assert "50,398" in page.text  # the concurrency a chat turn of seconds implies


def test_presets_page_lists_the_2026_accelerators_with_their_notes(client) -> None:  # noqa: ANN001
    page = client.get("/estimate")
    assert page.status_code == 200
    for name in ("AMD Instinct MI355X", "Google TPU v6e (Trillium)", "B200 (per GPU in GB200 NVL72)", "DeepSeek-V3"):
        assert name in page.text
    assert "Google publishes BF16 and INT8 peaks only" in page.text
    assert "latent: 512 + 64 per layer" in page.text
    assert "BF16 (weight-only)" in page.text  # INT4 GPTQ/AWQ multiplies at the BF16 rate


def test_roofline_form_offers_activation_formats_and_names_the_rate(client) -> None:  # noqa: ANN001
    page = client.get("/estimate/roofline?weight_dtype=int4-g128")
    assert page.status_code == 200
    assert '<select id="f-activation_dtype"' in page.text and "usual pairing" in page.text
    assert "at the BF16 rate" in page.text and "dequantised" in page.text
    fp8 = client.get("/estimate/roofline?weight_dtype=fp8")
    assert "at the FP8 rate" in fp8.text
