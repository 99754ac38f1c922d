package videollama.repro;

import java.util.List;

/** A video and its questions, in the order a run answers them: the video is encoded once for all of them. */
record VideoGroup(VideoRef video, List<Question> questions) {
    VideoGroup {
        questions = List.copyOf(questions);
    }
}
