"""The espeak-ng adapter against the installed espeak-ng: its voices, what it does with hostile text, and the
errors of a missing or slow tool."""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

import pytest

from app.audio import AudioError, EspeakSpeech, cast
from app.audio.espeak import languages
from tests.audio import measure

LISTING = """Pty Language       Age/Gender VoiceName          File                 Other Languages
 5  de              --/M      German             gmw/de
 5  en-029          --/M      English_(Caribbean) gmw/en-029           (en 10)
 2  en-gb           --/M      English_(Great_Britain) gmw/en               (en 2)
 2  en-us           --/M      English_(America)  gmw/en-US            (en 3)
 5  fr-be           --/M      French_(Belgium)   roa/fr-BE            (fr 8)
 5  fr-fr           --/M      French_(France)    roa/fr               (fr 5)
 5  yue             --/M      Chinese_(Cantonese) sit/yue              (zh-yue 5)(zh 8)
 5  yue             --/M      Chinese_(Cantonese,_latin_as_Jyutping) sit/yue-Latn-jyutping (zh-yue 5)(zh 8)
"""


@pytest.fixture
async def espeak() -> EspeakSpeech:
    return await EspeakSpeech.create()


def test_each_language_lists_the_locale_espeak_prefers_first() -> None:
    assert languages(LISTING) == [
        ("de", "gmw/de"),
        ("en-gb", "gmw/en"),
        ("en-us", "gmw/en-US"),
        ("en-029", "gmw/en-029"),
        ("fr-fr", "roa/fr"),
        ("fr-be", "roa/fr-BE"),
        ("yue", "sit/yue"),
    ]


@pytest.mark.parametrize(
    ("job", "spoken"),
    [("en", "en-gb"), ("en-US", "en-us"), ("de-AT", "de"), ("fr", "fr-fr"), ("pt-BR", "pt-br"), ("zh", "cmn")],
)
async def test_a_jobs_language_tag_finds_the_espeak_voice(espeak: EspeakSpeech, job: str, spoken: str) -> None:
    casting = cast(["Ada", "Ben"], espeak.voices(), job)
    assert casting.language == spoken and not casting.notes
    assert {voice.language for voice in casting.voices.values()} == {spoken}


async def test_a_language_espeak_lacks_is_read_in_english_with_a_note(espeak: EspeakSpeech) -> None:
    casting = cast(["Ada", "Ben"], espeak.voices(), "zz-ZZ")
    assert casting.language == "en-gb"
    assert casting.notes == ("no voice speaks 'zz-ZZ'; the script is read by English voices",)


async def test_the_four_voices_of_a_language_differ_in_pitch(espeak: EspeakSpeech) -> None:
    text = "Photosynthesis turns light, water and air into sugar, and it gives us the oxygen we breathe."
    english = [voice for voice in espeak.voices() if voice.language == "en-gb"]
    found: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        for voice in english:
            clip = await espeak.synthesize(text, voice, language="en-gb")
            path = Path(folder) / "clip.raw"
            path.write_bytes(clip.pcm)
            found[voice.name] = measure.pitch(measure.decode_pcm(path, clip.sample_rate))
    print({name: round(hz) for name, hz in found.items()})
    # The order the voices are cast in: a man, a woman, then a higher man and a lower woman.
    pitches = sorted(found.values())
    assert [found[v.name] for v in english] == [pitches[0], pitches[3], pitches[1], pitches[2]]
    assert all(b / a > 1.2 for a, b in itertools.pairwise(pitches))


async def test_shell_metacharacters_and_quotes_are_spoken_not_run(espeak: EspeakSpeech, tmp_path: Path) -> None:
    canary = tmp_path / "ran"
    text = (
        f"--version $(touch {canary}) and `touch {canary}`; touch {canary} && echo \"double\" 'single' "
        f"| tee {canary} > {canary} <voice name='x'/> \\n -v xx --stdout * ? ~ $HOME"
    )
    voice = cast(["Ada", "Ben"], espeak.voices(), "en").voices["Ada"]
    clip = await espeak.synthesize(text, voice, language="en-gb")
    assert not canary.exists()
    # Spoken: the some 40 words take seconds; espeak-ng's --version text or a refusal would not.
    assert clip.duration_seconds > 8


async def test_missing_espeak_names_its_debian_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(AudioError) as caught:
        await EspeakSpeech.create()
    assert caught.value.code == "audio_tool_missing"
    assert caught.value.message == "espeak-ng is not installed: install the Debian package 'espeak-ng'"


async def test_a_clip_that_takes_too_long_is_stopped(espeak: EspeakSpeech) -> None:
    slow = EspeakSpeech([("en-gb", "gmw/en")], timeout_seconds=0.001)
    with pytest.raises(AudioError) as caught:
        await slow.synthesize("A sentence. " * 2_000, slow.voices()[0], language="en-gb")
    assert caught.value.code == "audio_tool_timeout"


async def test_a_failing_espeak_reports_its_error(espeak: EspeakSpeech) -> None:
    broken = EspeakSpeech([("xx", "no/such-voice")])
    with pytest.raises(AudioError) as caught:
        await broken.synthesize("Hello.", broken.voices()[0], language="xx")
    assert caught.value.code == "audio_tool_failed"
