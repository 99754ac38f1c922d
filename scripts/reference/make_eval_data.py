#!/usr/bin/env python3
"""Tiny datasets for `videollama eval qa` (paper-repro), each in its dataset's own distributed format.

Writes testdata/eval/:
* videos/                  one folder for every dataset, its files under the names each dataset gives them:
                           copies of bundled media (testdata/media, testdata/video), a GIF made with the `ffmpeg`
                           command below, and per dataset one corrupt video (the first CUT bytes of a real one, as a
                           broken download leaves it); per dataset one video is deliberately absent;
* msvd/test_qa.json        MSVD-QA's format: [{"answer", "id", "question", "video_id"}], with
  msvd/youtube_mapping.txt MSVD's "<YouTube clip name> vidN" lines (clip names made up here);
* msrvtt/test_qa.json      MSRVTT-QA's format: [{"answer", "category_id", "id", "question", "video_id"}];
* activitynet/test_q.json, test_a.json
                           ActivityNet-QA's format: [{"video_name", "question", "question_id"}] and
                           [{"answer", "type", "question_id"}], videos v_<video_name>.<ext>;
* tgif/Test_frameqa_question.csv
                           TGIF-QA's FrameQA table: tab-separated, header
                           gif_name question answer type vid_id key description;
* generative/generic_qa.json, temporal_qa.json, consistency_qa.json
                           the video-based generative benchmark's format: [{"Q", "A", "video_name"}] and
                           [{"Q1", "Q2", "A", "video_name"}].

The questions and answers are ours, about what the test patterns show; the video names imitate each dataset's
(YouTube ids, tumblr GIF names) but name nothing real. Run from anywhere with any Python 3 and Debian's ffmpeg:

    python3 scripts/reference/make_eval_data.py
"""

import json
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "testdata" / "eval"
VIDEOS = OUT / "videos"
CUT = 512


def copy(source, name):
    shutil.copyfile(ROOT / source, VIDEOS / name)


def corrupt(source, name):
    """The first CUT bytes of a real video: headers without the frames, as an interrupted download leaves them."""
    (VIDEOS / name).write_bytes((ROOT / source).read_bytes()[:CUT])


def gif(name):
    # palettegen needs the end of its input, so the source has a duration (an output -t would never end the graph)
    subprocess.run(["ffmpeg", "-nostdin", "-y", "-v", "error", "-f", "lavfi",
                    "-i", "testsrc2=size=96x72:rate=8:duration=1.5",
                    "-vf", "split[a][b];[a]palettegen=max_colors=16[p];[b][p]paletteuse=dither=none",
                    "-loop", "0", str(VIDEOS / name)], check=True)


def write_json(path, value):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=1) + "\n")


def main():
    if VIDEOS.exists():
        shutil.rmtree(VIDEOS)
    VIDEOS.mkdir(parents=True)

    # MSVD-QA: MSVD's clips are AVI (XviD + MP3) named by YouTube id and times; vid3's clip is absent
    copy("testdata/media/mpeg4-mp3.avi", "tinyClipA01_0_2.avi")
    corrupt("testdata/media/mpeg4-mp3.avi", "tinyClipB02_4_9.avi")
    (OUT / "msvd").mkdir(parents=True, exist_ok=True)
    (OUT / "msvd" / "youtube_mapping.txt").write_text(
        "tinyClipA01_0_2 vid1\ntinyClipB02_4_9 vid2\ntinyClipC03_1_3 vid3\ntinyClipD04_7_12 vid4\n")
    write_json(OUT / "msvd" / "test_qa.json", [
        {"answer": "pattern", "id": 30001, "question": "what is shown on the screen?", "video_id": 1},
        {"answer": "nobody", "id": 30002, "question": "who is talking?", "video_id": 1},
        {"answer": "clock", "id": 30003, "question": "what is moving in the corner?", "video_id": 2},
        {"answer": "slowly", "id": 30004, "question": "how does the pattern move?", "video_id": 1},
        {"answer": "studio", "id": 30005, "question": "where is the video taken?", "video_id": 3},
        {"answer": "bars", "id": 30006, "question": "what is colorful?", "video_id": 2},
    ])

    # MSRVTT-QA: videoN.mp4
    copy("testdata/media/hevc-aac.mp4", "video9001.mp4")
    copy("testdata/video/bframes.mp4", "video9002.mp4")
    corrupt("testdata/media/hevc-aac.mp4", "video9003.mp4")
    write_json(OUT / "msrvtt" / "test_qa.json", [
        {"answer": "pattern", "category_id": 7, "id": 158001, "question": "what is on the screen?", "video_id": 9001},
        {"answer": "box", "category_id": 7, "id": 158002, "question": "what moves across the picture?", "video_id": 9002},
        {"answer": "number", "category_id": 7, "id": 158003, "question": "what changes in the corner?", "video_id": 9001},
        {"answer": "computer", "category_id": 3, "id": 158004, "question": "who made the video?", "video_id": 9003},
        {"answer": "gray", "category_id": 3, "id": 158005, "question": "what color is the background?", "video_id": 9004},
        {"answer": "right", "category_id": 7, "id": 158006, "question": "where does the box go?", "video_id": 9002},
    ])

    # ActivityNet-QA: v_<id> in .mp4, .mkv, .webm; tinyAnet004 is absent
    copy("testdata/media/vp9-opus.webm", "v_tinyAnet001.webm")
    copy("testdata/media/av1-vorbis.mkv", "v_tinyAnet002.mkv")
    corrupt("testdata/video/bframes.mp4", "v_tinyAnet003.mp4")
    asked = [
        ("tinyAnet001", "is there a person in the video", "no", 3),
        ("tinyAnet002", "what color is the largest area", "green", 4),
        ("tinyAnet001", "what happens after the numbers change", "they change again", 2),
        ("tinyAnet003", "what is the person doing", "nothing", 0),
        ("tinyAnet004", "how many circles are there", "1", 7),
        ("tinyAnet002", "is the video indoors", "no", 3),
        ("tinyAnet001", "what is at the top of the picture", "text", 5),
    ]
    write_json(OUT / "activitynet" / "test_q.json",
               [{"video_name": v, "question": q, "question_id": f"v_{v}_{i}"} for i, (v, q, _, _) in enumerate(asked)])
    write_json(OUT / "activitynet" / "test_a.json",
               [{"answer": a, "type": t, "question_id": f"v_{v}_{i}"} for i, (v, _, a, t) in enumerate(asked)])

    # TGIF-QA FrameQA: <gif_name>.gif
    gif("tumblr_tinygif01o1_250.gif")
    corrupt("testdata/eval/videos/tumblr_tinygif01o1_250.gif", "tumblr_tinygif02o1_400.gif")
    rows = [
        ("tumblr_tinygif01o1_250", "what is the color of the circle ?", "white", 2, "FRAMEQA90001", 90001,
         "a white circle is in the middle of a colored pattern ."),
        ("tumblr_tinygif01o1_250", "how many circles are in the picture ?", "one", 1, "FRAMEQA90002", 90001,
         "one circle is in the picture ."),
        ("tumblr_tinygif02o1_400", "what is moving in the picture ?", "pattern", 0, "FRAMEQA90003", 90002,
         "a pattern is moving in the picture ."),
        ("tumblr_tinygif03o1_250", "where is the pattern shown ?", "screen", 3, "FRAMEQA90004", 90003,
         "a pattern is shown on a screen ."),
        ("tumblr_tinygif01o1_250", "what is counting up ?", "number", 0, "FRAMEQA90005", 90001,
         "a number is counting up ."),
    ]
    (OUT / "tgif").mkdir(parents=True, exist_ok=True)
    (OUT / "tgif" / "Test_frameqa_question.csv").write_text(
        "gif_name\tquestion\tanswer\ttype\tvid_id\tkey\tdescription\n"
        + "".join("\t".join(str(c) for c in r) + "\n" for r in rows))

    # the generative benchmark: Test_Videos/<video_name>.mp4 (one here is Matroska); tinyBench04 is absent
    copy("testdata/video/gop.mp4", "v_tinyBench01.mp4")
    copy("testdata/video/bframes.mkv", "v_tinyBench02.mkv")
    corrupt("testdata/video/flower.mp4", "v_tinyBench03.mp4")
    generic = [
        ("v_tinyBench01", "What is shown in the video?", "A test pattern with moving colors."),
        ("v_tinyBench02", "Describe the video in detail.", "A box moves across a smooth pattern."),
        ("v_tinyBench01", "What colors can be seen?", "Several bright colors."),
        ("v_tinyBench03", "What is happening in the video?", "A flower sways in the wind."),
        ("v_tinyBench02", "What is the setting of the video?", "A computer-generated background."),
        ("v_tinyBench04", "Who appears in the video?", "No one appears."),
        ("v_tinyBench01", "Does the picture change over time?", "Yes, parts of it move."),
        ("v_tinyBench02", "What moves in the video?", "A box."),
        ("v_tinyBench01", "Is there any text in the video?", "There may be numbers."),
        ("v_tinyBench02", "How fast does the box move?", "Slowly."),
    ]
    write_json(OUT / "generative" / "generic_qa.json", [{"Q": q, "A": a, "video_name": v} for v, q, a in generic])
    temporal = [
        ("v_tinyBench02", "What happens after the box starts moving?", "It keeps moving across the picture."),
        ("v_tinyBench01", "What changes from the beginning to the end?", "The pattern shifts."),
        ("v_tinyBench04", "What happens first in the video?", "A pattern appears."),
        ("v_tinyBench03", "What does the flower do at the end?", "It stops moving."),
        ("v_tinyBench02", "In which direction does the box move over time?", "To one side."),
    ]
    write_json(OUT / "generative" / "temporal_qa.json", [{"Q": q, "A": a, "video_name": v} for v, q, a in temporal])
    consistency = [
        ("v_tinyBench01", "What is in the video?", "Can you describe what the video shows?", "A moving test pattern."),
        ("v_tinyBench02", "What object moves?", "Which thing in the video is in motion?", "A box."),
        ("v_tinyBench03", "What plant is shown?", "Is there a plant in the video, and which?", "A flower."),
        ("v_tinyBench04", "Is there sound?", "Can anything be heard?", "A tone."),
        ("v_tinyBench01", "What shape is in the middle?", "Which shape sits at the center?", "A circle."),
    ]
    write_json(OUT / "generative" / "consistency_qa.json",
               [{"Q1": q1, "Q2": q2, "A": a, "video_name": v} for v, q1, q2, a in consistency])


if __name__ == "__main__":
    main()
