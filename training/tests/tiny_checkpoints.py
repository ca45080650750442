"""Tiny randomly initialised BERT, DistilBERT and RoBERTa classifiers with locally built tokenizers (no download)."""

from __future__ import annotations

from pathlib import Path

from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

from training.base_model import label_config_kwargs

CORPUS = [
    "you are a complete idiot and everyone knows it",
    "thanks for the thoughtful reply i learned something today",
    "oh sure because that worked so well last time",
    "the city council voted on the new budget yesterday",
    "what a bunch of lying clowns running this place",
    "café naïve résumé 😀 emoji and accents",
]
WORDPIECE_SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
BPE_SPECIALS = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
TINY = {"initializer_range": 0.3}


def wordpiece_tokenizer() -> Tokenizer:
    words = sorted({w for line in CORPUS for w in line.split()})
    pieces = sorted({"##" + c for w in words for c in w} | {c for w in words for c in w})
    tokens = list(dict.fromkeys(WORDPIECE_SPECIALS + words + pieces))
    vocab = {token: i for i, token in enumerate(tokens)}
    tokenizer = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])],
    )
    tokenizer.decoder = decoders.WordPiece()
    return tokenizer


def bpe_tokenizer() -> Tokenizer:
    tokenizer = Tokenizer(models.BPE(unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400, special_tokens=BPE_SPECIALS, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    tokenizer.train_from_iterator(CORPUS, trainer)
    tokenizer.post_processor = processors.RobertaProcessing(
        ("</s>", tokenizer.token_to_id("</s>")), ("<s>", tokenizer.token_to_id("<s>"))
    )
    return tokenizer


def build(architecture: str, folder: Path, seed: int = 0) -> Path:
    import torch
    from transformers import (
        BertConfig,
        BertForSequenceClassification,
        DistilBertConfig,
        DistilBertForSequenceClassification,
        RobertaConfig,
        RobertaForSequenceClassification,
    )

    torch.manual_seed(seed)
    labels = label_config_kwargs()
    if architecture == "bert":
        tokenizer = wordpiece_tokenizer()
        config = BertConfig(
            vocab_size=tokenizer.get_vocab_size(), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
            intermediate_size=37, max_position_embeddings=64, pad_token_id=0, **TINY, **labels,
        )
        model = BertForSequenceClassification(config)
    elif architecture == "distilbert":
        tokenizer = wordpiece_tokenizer()
        config = DistilBertConfig(
            vocab_size=tokenizer.get_vocab_size(), dim=32, n_layers=2, n_heads=2, hidden_dim=37,
            max_position_embeddings=64, pad_token_id=0, **TINY, **labels,
        )
        model = DistilBertForSequenceClassification(config)
    elif architecture == "roberta":
        tokenizer = bpe_tokenizer()
        config = RobertaConfig(
            vocab_size=tokenizer.get_vocab_size(), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
            intermediate_size=37, max_position_embeddings=66, type_vocab_size=1, pad_token_id=1,
            bos_token_id=0, eos_token_id=2, **TINY, **labels,
        )
        model = RobertaForSequenceClassification(config)
    else:
        raise ValueError(architecture)
    model.save_pretrained(str(folder))
    tokenizer.save(str(folder / "tokenizer.json"))
    return folder
