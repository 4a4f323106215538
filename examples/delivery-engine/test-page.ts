import type { Answers } from './grading.js';
import type { Handoff } from './handoff.js';
import { QUESTIONS } from './questions.js';

/** A question as the page shows it: prompt and choices, never the answer key. */
export interface QuestionView {
  id: string;
  number: number;
  prompt: string;
  choices: Array<{ value: string; checked: boolean }>;
}

export interface TestPageView {
  examTitle: string;
  candidateId: string;
  duration: string;
  extraTime: string;
  totalTime: string;
  timeZone: string;
  /** When the test closes for this candidate (window end + extra time), in the exam's zone. */
  closes: { text: string; iso: string } | null;
  csrfToken: string;
  finishAction: string;
  /** The questions, with the choices to show as checked after a refused finish (none on a fresh page). */
  questions: QuestionView[];
  error: string | null;
}

export interface TestPageState {
  csrfToken: string;
  finishAction: string;
  answers?: Partial<Answers>;
  error?: string | null;
}

/** Builds what the test page shows from a verified hand-off: durations with the extra time, and the closing time in the exam's zone. */
export function presentTestPage(handoff: Handoff, state: TestPageState): TestPageView {
  const { exam, candidate } = handoff;
  const extra = candidate.extraTimeMinutes;
  return {
    examTitle: exam.title,
    candidateId: candidate.id,
    duration: exam.durationMinutes === null ? 'No time limit' : minutes(exam.durationMinutes),
    extraTime: minutes(extra),
    totalTime:
      exam.durationMinutes === null ? 'No time limit' : `${exam.durationMinutes} + ${extra} = ${minutes(exam.durationMinutes + extra)}`,
    timeZone: exam.window.timeZone,
    closes: closingTime(exam.window.end, extra, exam.window.timeZone),
    csrfToken: state.csrfToken,
    finishAction: state.finishAction,
    questions: presentQuestions(state.answers ?? {}),
    error: state.error ?? null,
  };
}

function presentQuestions(answers: Partial<Answers>): QuestionView[] {
  return QUESTIONS.map((question, index) => ({
    id: question.id,
    number: index + 1,
    prompt: question.prompt,
    choices: question.choices.map((value) => ({ value, checked: answers[question.id] === value })),
  }));
}

/** Extra time moves the window's end as well as the duration. */
function closingTime(windowEnd: string | null, extraMinutes: number, timeZone: string): TestPageView['closes'] {
  if (windowEnd === null) {
    return null;
  }
  const closes = new Date(Date.parse(windowEnd) + extraMinutes * 60_000);
  const text = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).format(closes);
  return { text, iso: closes.toISOString() };
}

function minutes(count: number): string {
  return `${count} ${count === 1 ? 'minute' : 'minutes'}`;
}
