import json

import numpy as np
import pytest

from training.bundle import BundleScorer, read_manifest, sha256_file, verify_hashes
from training.export import export_bundle, load_checkpoint, torch_logits
from training.labels import LABELS

from .tiny_checkpoints import CORPUS, build

ARCHITECTURES = ["bert", "distilbert", "roberta"]
MAX_LENGTH = 16
TEXTS = [
    "you are a complete idiot",
    "ok",
    " ".join(CORPUS),  # longer than MAX_LENGTH: truncated
    "café 😀 thanks for the thoughtful reply",
    "",
]


@pytest.fixture(scope="module", params=ARCHITECTURES)
def checkpoint(request, tmp_path_factory):
    return build(request.param, tmp_path_factory.mktemp(request.param)), request.param


@pytest.fixture(scope="module")
def fp32_bundle(checkpoint, tmp_path_factory):
    folder, architecture = checkpoint
    out = tmp_path_factory.mktemp(f"{architecture}-fp32")
    export_bundle(folder, out, quantize="none", max_length=MAX_LENGTH, model_version="test")
    return out


def test_fp32_onnx_logits_equal_pytorch_logits(checkpoint, fp32_bundle):
    model = load_checkpoint(checkpoint[0])
    scorer = BundleScorer(fp32_bundle)
    for batch in (TEXTS, TEXTS[:1], TEXTS[1:3]):
        feeds = scorer.encode(batch)
        onnx_logits = scorer.session.run(["logits"], feeds)[0]
        expected = torch_logits(model, feeds)
        assert onnx_logits.shape == (len(batch), len(LABELS))
        np.testing.assert_allclose(onnx_logits, expected, atol=1e-4, rtol=0)
    assert np.std(scorer.logits(TEXTS)) > 1e-2, "random logits too flat for the comparison to mean anything"


def test_inputs_follow_the_architecture(checkpoint, fp32_bundle):
    manifest = read_manifest(fp32_bundle)
    expected = ["input_ids", "attention_mask"] + (["token_type_ids"] if checkpoint[1] == "bert" else [])
    assert manifest["inputs"] == expected
    assert manifest["architecture"] == checkpoint[1]
    assert [i.name for i in BundleScorer(fp32_bundle).session.get_inputs()] == expected


def test_manifest_describes_the_bundle(checkpoint, fp32_bundle):
    manifest = read_manifest(fp32_bundle)
    assert manifest["format"] == "modstream-bundle/1"
    assert manifest["labels"] == list(LABELS)
    assert manifest["thresholds"] == {label: 0.5 for label in LABELS}
    assert manifest["max_length"] == MAX_LENGTH
    assert manifest["output"] == "logits"
    assert manifest["quantization"] == "none"
    assert manifest["pad_token_id"] == (1 if checkpoint[1] == "roberta" else 0)
    for name in ("model.onnx", "tokenizer.json"):
        assert manifest["files"][name]["sha256"] == sha256_file(fp32_bundle / name)
    assert manifest["export_check"]["max_abs_logit_diff_vs_pytorch"] < 1e-4


def test_tokenizer_truncates_and_does_not_pad(fp32_bundle):
    scorer = BundleScorer(fp32_bundle)
    tokenizer_json = json.loads((fp32_bundle / "tokenizer.json").read_text())
    assert tokenizer_json["padding"] is None
    assert tokenizer_json["truncation"]["max_length"] == MAX_LENGTH
    lengths = [len(e.ids) for e in scorer.tokenizer.encode_batch(TEXTS)]
    assert max(lengths) == MAX_LENGTH
    assert lengths[1] < MAX_LENGTH


def test_int8_bundle_gives_finite_logits_of_the_right_shape(checkpoint, tmp_path):
    manifest = export_bundle(checkpoint[0], tmp_path, quantize="int8", max_length=MAX_LENGTH)
    assert manifest["quantization"] == "int8-dynamic"
    logits = BundleScorer(tmp_path).logits(TEXTS)
    assert logits.shape == (len(TEXTS), len(LABELS))
    assert np.all(np.isfinite(logits))
    assert manifest["files"]["model.onnx"]["sha256"] == sha256_file(tmp_path / "model.onnx")


def test_a_changed_file_fails_verification(fp32_bundle, tmp_path):
    for name in ("model.onnx", "tokenizer.json", "manifest.json"):
        (tmp_path / name).write_bytes((fp32_bundle / name).read_bytes())
    verify_hashes(tmp_path)
    with open(tmp_path / "tokenizer.json", "a") as f:
        f.write(" ")
    with pytest.raises(ValueError, match="sha256"):
        verify_hashes(tmp_path)


def test_thresholds_file_is_used_and_must_cover_every_label(checkpoint, tmp_path):
    thresholds = {label: round(0.1 + 0.05 * i, 2) for i, label in enumerate(LABELS)}
    (tmp_path / "thr.json").write_text(json.dumps({"thresholds": thresholds}))
    manifest = export_bundle(
        checkpoint[0], tmp_path / "b", quantize="none", max_length=MAX_LENGTH,
        thresholds_file=tmp_path / "thr.json", thresholds_version="thr-test",
    )
    assert manifest["thresholds"] == thresholds
    assert manifest["thresholds_version"] == "thr-test"
    del thresholds["sarcasm"]
    (tmp_path / "partial.json").write_text(json.dumps(thresholds))
    with pytest.raises(ValueError, match="sarcasm"):
        export_bundle(checkpoint[0], tmp_path / "c", quantize="none", thresholds_file=tmp_path / "partial.json")
