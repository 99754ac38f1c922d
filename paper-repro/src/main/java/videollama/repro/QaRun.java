package videollama.repro;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import videollama.app.ChatSession;
import videollama.app.MediaEncoder;
import videollama.loader.LoaderException;
import videollama.loader.MediaDecoder;
import videollama.loader.SampledFrames;
import videollama.loader.video.VideoLoader;
import videollama.model.chat.DemoMessages;
import videollama.model.chat.MediaChat;
import videollama.model.generate.GenerationSettings;

/**
 * The answering loop of {@code eval qa}: for each video, its soft tokens (from the cache, or decoded and encoded once
 * for all its questions), then each question in a fresh conversation as the reference demo holds it: the demo's
 * system message, its upload message with the frames' timestamp sentence, the question; the answer cleaned as the
 * demo cleans it. Each {@link Prediction} is appended as soon as it exists. A video that is missing or cannot be read
 * becomes an error on each of its questions and the run goes on; a failure of the model or the device stops it.
 */
final class QaRun {
    /** Bumped whenever the way tokens are made changes, so old cache entries stop matching. */
    private static final String CACHE_FORMAT = "videollama eval soft tokens, format 1";

    /** What stays the same over the run. */
    record Setup(Dataset dataset, ChatSession session, MediaEncoder encoder,
                 GenerationSettings generation, int frames, MediaDecoder decoder, VideoFolder videos, SoftTokenCache cache,
                 ContentHashes hashes, String visionBranchHash) {}

    private final Setup setup;
    private final PrintWriter err;

    QaRun(Setup setup, PrintWriter err) {
        this.setup = setup;
        this.err = err;
    }

    /** Answers every question of {@code groups} not in {@code done}, appending to {@code out}. */
    RunStats answer(List<VideoGroup> groups, Set<String> done, PredictionFile out) throws IOException {
        List<VideoGroup> todo = groups.stream()
                .map(g -> new VideoGroup(g.video(), g.questions().stream().filter(q -> !done.contains(q.id())).toList()))
                .filter(g -> !g.questions().isEmpty())
                .toList();
        RunStats stats = new RunStats(Schedule.questions(todo), todo.size());
        for (VideoGroup group : todo) {
            long start = System.nanoTime();
            Optional<String> file = setup.videos().find(group.video());
            String video = file.orElse(group.video().expected());
            Tokens tokens = file.isEmpty() ? Tokens.failed(setup.videos().missing(group.video()))
                    : tokens(setup.videos().dir().resolve(file.get()));
            long visionNanos = System.nanoTime() - start;
            stats.videos++;
            stats.visionNanos += visionNanos;
            if (tokens.error() != null) {
                stats.unreadable++;
                err.println("error: " + tokens.error());
            } else if (tokens.fromCache()) {
                stats.fromCache++;
            }
            for (Question q : group.questions()) {
                out.write(tokens.error() != null
                        ? new Prediction(setup.dataset().id(), q.id(), video, q.question(), q.question2(), q.answer(), q.type(),
                                null, null, tokens.error(), null)
                        : answer(q, video, tokens.entry(), visionNanos, stats));
                visionNanos = 0;
                stats.questions++;
                if (tokens.error() != null) {
                    stats.errors++;
                }
            }
            err.println(stats.progress() + ": " + video + (tokens.error() != null ? " (error)" : tokens.fromCache() ? " (tokens from the cache)" : ""));
            err.flush();
        }
        return stats;
    }

    /** A video's tokens, or why there are none. */
    private record Tokens(SoftTokenCache.Entry entry, boolean fromCache, String error) {
        static Tokens failed(String error) {
            return new Tokens(null, false, error);
        }
    }

    private Tokens tokens(Path file) {
        String key;
        SampledFrames frames;
        try {
            key = cacheKey(setup.hashes().of(file));
            Optional<SoftTokenCache.Entry> cached = setup.cache().get(key);
            if (cached.isPresent()) {
                return new Tokens(cached.get(), true, null);
            }
            frames = VideoLoader.load(file, setup.frames(), setup.decoder());
        } catch (LoaderException e) {
            return Tokens.failed(e.getMessage());
        } catch (IOException | UncheckedIOException e) {
            return Tokens.failed(file + ": cannot be read (" + e.getMessage() + ")");
        } catch (RuntimeException e) {
            // a file no decoder path anticipated: it costs its own questions, not the run
            return Tokens.failed(file + ": cannot be decoded (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
        frames.warnings().forEach(w -> err.println("warning: " + w));
        SoftTokenCache.Entry entry = new SoftTokenCache.Entry(setup.encoder().video(frames), frames.timestampSentence());
        try {
            setup.cache().put(key, entry);
        } catch (IOException | RuntimeException e) {
            err.println("warning: the soft tokens of " + file + " could not be cached (" + e.getMessage() + ")");
        }
        return new Tokens(entry, false, null);
    }

    /**
     * The cache key of a video's tokens: SHA-256 over everything that changes them: the vision branch's weights and
     * {@code videollama.json}, the video's contents, the frame count, the decoder (and its version), the backend and
     * its device, and the format of this recipe.
     */
    String cacheKey(String videoHash) {
        return ContentHashes.sha256(CACHE_FORMAT + "\nbranch " + setup.visionBranchHash() + "\nvideo " + videoHash
                + "\nframes " + setup.frames() + "\ndecoder " + setup.decoder().describe() + "\nbackend "
                + setup.session().backend().name() + " on " + setup.session().backend().device() + "\n");
    }

    private Prediction answer(Question q, String video, SoftTokenCache.Entry tokens, long visionNanos, RunStats stats) {
        Asked first = ask(q.question(), tokens, seed(q.id(), 1), stats);
        Asked second = q.question2() == null ? null : ask(q.question2(), tokens, seed(q.id(), 2), stats);
        Prediction.Timings timings = new Prediction.Timings(visionNanos / 1e6,
                (first.prefillNanos + (second == null ? 0 : second.prefillNanos)) / 1e6,
                (first.decodeNanos + (second == null ? 0 : second.decodeNanos)) / 1e6,
                first.promptTokens + (second == null ? 0 : second.promptTokens),
                first.generatedTokens + (second == null ? 0 : second.generatedTokens));
        return new Prediction(setup.dataset().id(), q.id(), video, q.question(), q.question2(), q.answer(), q.type(),
                first.text, second == null ? null : second.text, null, timings);
    }

    private record Asked(String text, long prefillNanos, long decodeNanos, int promptTokens, int generatedTokens) {}

    private Asked ask(String question, SoftTokenCache.Entry tokens, long seed, RunStats stats) {
        setup.session().upload(new MediaEncoder.Upload(DemoMessages.video(tokens.timestampSentence()), DemoMessages.VISUAL_SYSTEM,
                List.of(tokens.tokens()), List.of()), null);
        MediaChat.Answer answer = setup.session().ask(question, setup.generation().withSeed(seed), piece -> {});
        if (answer.prompt().dropped() > 0) {
            stats.contextCut++;
        }
        stats.prefillNanos += answer.generation().prefillNanos();
        stats.decodeNanos += answer.generation().decodeNanos();
        return new Asked(answer.text(), answer.generation().prefillNanos(), answer.generation().decodeNanos(),
                answer.prompt().length(), answer.generation().tokens().length);
    }

    /**
     * The sampling seed of one question: the first 8 bytes of SHA-256 over the run's seed, the dataset, the question's
     * id and which of its questions (1, or 2 for a consistency pair's second), so that an answer does not depend on
     * which questions were answered before it (a resumed run, a shard).
     */
    private long seed(String id, int which) {
        long runSeed = setup.generation().sampling().seed();
        byte[] hash = HexFormat.of().parseHex(ContentHashes.sha256(runSeed + "\n" + setup.dataset().id() + "\n" + id + "\n" + which));
        return ByteBuffer.wrap(hash).getLong();
    }
}
