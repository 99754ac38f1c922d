package videollama.model.chat;

/**
 * The texts the reference demos put around the soft tokens (docs/model.md sections 6.1 and 6.2): the user-message bodies
 * with their {@code <ImageHere>} placeholders and the system sentence. Each placeholder is replaced by one item's
 * soft tokens at the embedding level ({@link ChatPrompt}); the string itself never reaches the tokenizer.
 */
public final class DemoMessages {
    /** Where one item's soft tokens go. */
    public static final String PLACEHOLDER = "<ImageHere>";

    /** The system message {@code demo_video.py} sets for an image or a video (both templates). */
    public static final String VISUAL_SYSTEM = "You are able to understand the visual content that the user provides."
            + " Follow the instructions carefully and explain your answers in detail.";

    /** {@code Chat.upload_img}: the image body; the question follows after one more space. */
    public static final String IMAGE = "<Image>" + PLACEHOLDER + "</Image> ";

    /**
     * {@code Chat.upload_video} with a sound track: audio tokens first, then video tokens. The runs of 17 and 18 spaces
     * are in the reference's string literal (line continuations inside it keep the next line's indentation). The
     * demo that sends it ({@code demo_audiovideo.py}) sets an empty system message.
     */
    public static final String AUDIO_VIDEO = "Close your eyes, open your ears and you imagine only based on the sound that: "
            + PLACEHOLDER + "." + " ".repeat(17) + "Close your ears, open your eyes and you see that <Video>" + PLACEHOLDER
            + "</Video>." + " ".repeat(18) + "Now answer my question based on what you have just seen and heard.";

    /**
     * A sound file alone ({@code chat --audio-only}): the reference has no such upload, so this is the audio half of
     * {@link #AUDIO_VIDEO} with the closing sentence that asks for an answer from what was heard.
     */
    public static final String AUDIO = "Close your eyes, open your ears and you imagine only based on the sound that: "
            + PLACEHOLDER + "." + " ".repeat(17) + "Now answer my question based on what you have just heard.";

    private DemoMessages() {}

    /** {@code Chat.upload_video_without_audio}: the video body followed by the frame-timestamp sentence (which ends with a space). */
    public static String video(String timestampSentence) {
        return "<Video>" + PLACEHOLDER + "</Video> " + timestampSentence;
    }
}
