package videollama.repro;

/**
 * One question of a dataset as its annotation files give it, before it is answered: the fields of a
 * {@link Prediction} that come from the dataset.
 *
 * @param id        the dataset's own id of the question, unique within the dataset (see {@link Dataset} for each)
 * @param video     where its video is to be found
 * @param question  the question as the dataset words it
 * @param question2 the second question of a consistency pair, else null
 * @param answer    the dataset's reference answer
 * @param type      the question's type where the dataset has one, else null
 */
record Question(String id, VideoRef video, String question, String question2, String answer, String type) {}
