"""A realistic two-speaker podcast script, as a generator would hand it over."""

from __future__ import annotations

from typing import Any

from app.content.models import PodcastScript

PHOTOSYNTHESIS: dict[str, Any] = {
    "title": "How Leaves Make Food: a Short Talk on Photosynthesis",
    "speakers": [
        {"name": "Maya", "role": "host"},
        {"name": "Dr. Okafor", "role": "plant biologist"},
    ],
    "segments": [
        {
            "speaker": "Maya",
            "text": "Welcome back to the study hour. Today we are looking at something that happens in every green "
            "leaf outside your window. My guest is a plant biologist, and she has promised to keep the chemistry "
            "friendly. So, where does a plant's food actually come from?",
        },
        {
            "speaker": "Dr. Okafor",
            "text": "It makes it, from almost nothing. A leaf takes in carbon dioxide from the air and water from "
            "the soil, and with the energy of sunlight it builds sugar. The oxygen we breathe is what is left "
            "over. That whole process is called photosynthesis.",
        },
        {
            "speaker": "Maya",
            "text": "And the green colour is part of the story, isn't it? I remember the word chlorophyll from "
            "school, but not what it does.",
        },
        {
            "speaker": "Dr. Okafor",
            "text": "Chlorophyll is the pigment that catches the light. It sits in tiny structures called "
            "chloroplasts. It absorbs red and blue light very well, and it reflects green, which is why leaves "
            "look green to us. The captured energy is used to split water molecules.",
        },
        {
            "speaker": "Maya",
            "text": "So there are really two stages. First the light is caught, and then the sugar is built?",
        },
        {
            "speaker": "Dr. Okafor",
            "text": "Exactly. The light reactions make two energy carriers, ATP and NADPH. Then the Calvin cycle "
            "uses them to fix carbon dioxide into sugar. The second stage does not need light directly, but it "
            "stops soon after dark, because it runs out of those carriers.",
        },
        {
            "speaker": "Maya",
            "text": "What limits how fast a plant can do all this? Is it just the amount of sunshine?",
        },
        {
            "speaker": "Dr. Okafor",
            "text": "Light is one limit, but so are carbon dioxide and temperature. Whichever is scarcest sets "
            "the pace. Farmers use this in greenhouses: they add carbon dioxide and keep the air warm, and the "
            "crops grow noticeably faster.",
        },
        {
            "speaker": "Maya",
            "text": "That is a lovely place to stop. Next time you walk past a tree, remember it is quietly "
            "turning air and light into food. Thanks for listening, and see you next week.",
        },
    ],
    "estimated_minutes": 2.0,
}


def photosynthesis() -> PodcastScript:
    return PodcastScript.model_validate(PHOTOSYNTHESIS)
