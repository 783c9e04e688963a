"""Audio duration is read from the file; uploads of the wrong type or size are refused."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled

from anlaufstelle.mediathek.audio import read_audio_facts
from anlaufstelle.mediathek.demo_files import silent_wav
from anlaufstelle.mediathek.models import Episode

from .conftest import cbr_mp3, m4a, make_episode, vorbis_ogg, xing_mp3


@pytest.mark.parametrize(
    ("data", "kind", "content_type", "seconds"),
    [
        (cbr_mp3(60), "mp3", "audio/mpeg", 60),
        (cbr_mp3(7, id3=False), "mp3", "audio/mpeg", 7),
        (xing_mp3(frames=38_281), "mp3", "audio/mpeg", 1000),  # 38281 × 1152 / 44100 s
        (silent_wav(4), "wav", "audio/wav", 4),
        (vorbis_ogg(90), "ogg", "audio/ogg", 90),
        (m4a(125), "m4a", "audio/mp4", 125),
    ],
    ids=["mp3-cbr", "mp3-no-id3", "mp3-xing", "wav", "ogg-vorbis", "m4a"],
)
def test_the_duration_is_read_from_the_file(data, kind, content_type, seconds):
    facts = read_audio_facts(io.BytesIO(data))
    assert facts is not None
    assert (facts.kind, facts.content_type, facts.duration_seconds) == (kind, content_type, seconds)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\xff\xfb",
        b"ID3\x03\x00\x00\x7f\x7f\x7f\x7f" + b"\x00" * 100,  # tag claims 256 MB, no frame
        b"\xff\xfb\x90\x00" + b"\x00" * 10,  # one broken frame
        b"OggS" + b"\x00" * 40,
        b"\x00\x00\x00\x08ftyp" + b"\xff" * 40,
        b"RIFF\x00\x00\x00\x00WAVEjunk",
        b"#!/bin/sh\nrm -rf /\n",
        b"<?php system($_GET['c']); ?>",
    ],
)
def test_unreadable_audio_gives_none_not_an_exception(data):
    assert read_audio_facts(io.BytesIO(data)) is None


def test_an_episode_stores_type_size_and_duration(personas):
    episode = make_episode(
        personas.feldberg.network, audio=SimpleUploadedFile("a.mp3", cbr_mp3(61))
    )
    assert (episode.audio_type, episode.duration_seconds) == ("audio/mpeg", 61)
    assert episode.audio_size == len(cbr_mp3(61))
    assert episode.duration_display == "1:01"


def test_an_audio_file_without_readable_duration_is_refused_in_german(personas):
    with pytest.raises(ValidationError) as error:
        make_episode(
            personas.feldberg.network,
            audio=SimpleUploadedFile("a.mp3", b"\xff\xfb\x90\x00" + b"\x00" * 10),
        )
    assert error.value.message_dict["audio"] == [
        "Die Länge dieser Audiodatei ließ sich nicht lesen. Bitte laden Sie eine andere "
        "Datei hoch (MP3, M4A, OGG oder WAV)."
    ]


def test_a_file_that_is_no_audio_is_refused(personas):
    with pytest.raises(ValidationError) as error:
        make_episode(personas.feldberg.network, audio=SimpleUploadedFile("x.mp3", b"MZ\x90\x00"))
    assert "Bitte laden Sie MP3, M4A, OGG oder WAV hoch" in error.value.message_dict["audio"][0]


def test_a_too_large_audio_file_is_refused(personas, settings):
    settings.MEDIATHEK_MAX_UPLOAD_BYTES = {"audio": 1000}
    with pytest.raises(ValidationError) as error:
        make_episode(personas.feldberg.network, audio=SimpleUploadedFile("a.mp3", cbr_mp3(2)))
    assert "zu groß" in error.value.message_dict["audio"][0]


def test_stored_names_are_random_and_stay_in_the_upload_folder(personas):
    episode = make_episode(
        personas.feldberg.network,
        audio=ContentFile(cbr_mp3(3), name="../../../etc/passwd.php"),
    )
    assert episode.audio.name.startswith("mediathek/audio/")
    assert episode.audio.name.endswith(".mp3")
    assert ".." not in episode.audio.name and "passwd" not in episode.audio.name


def test_the_transcript_is_required_before_publishing(personas):
    with pytest.raises(ValidationError) as error:
        make_episode(personas.feldberg.network, transcript="   ")
    assert error.value.message_dict["transcript"] == [
        "Eine Folge braucht ein Transkript, bevor sie veröffentlicht wird."
    ]
    # A draft may wait for its transcript.
    draft = make_episode(
        personas.feldberg.network, slug="entwurf", transcript="", is_published=False
    )
    assert draft.pk


def test_the_database_refuses_a_published_episode_without_transcript(personas):
    from django.db import IntegrityError, transaction

    episode = make_episode(personas.feldberg.network)
    with scopes_disabled(), pytest.raises(IntegrityError), transaction.atomic():
        Episode.objects.filter(pk=episode.pk).update(transcript="")


def test_the_upload_folder_is_not_served_directly(episode):
    from django.test import Client

    assert Client().get(f"/media/{episode.audio.name}").status_code == 404
