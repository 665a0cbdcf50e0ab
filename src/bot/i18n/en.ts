import type { Texts } from './ru.js';

/** English texts, for users whose Telegram language is English or who chose it in /lang. */
const card = (name: string, topics: string, hours: string) =>
  `Found someone: ${name}.\nShared topics: ${topics}.\nShared waking hours: ${hours}.`;

export const en: Texts = {
  language: 'English',
  welcome: (name: string) =>
    `Hi, ${name}! I am tete: I find you someone who shares your interests for a one-on-one talk.`,
  rules: [
    'The rules of tete:',
    '1. Respect the other person: no insults, threats or harassment.',
    '2. No spam or advertising.',
    '3. Do not ask for personal data: phone, address, documents, money.',
    '4. You can end a conversation at any time with /end.',
    '5. If something is wrong, /report with a reason: the chat ends and the person is blocked.',
  ].join('\n'),
  rulesAccept: 'I agree',
  rulesAccepted: 'Thank you! Now pick your topics: at least two.',
  topicsPrompt: (count: number) =>
    `Pick the topics you would like to talk about. Selected: ${count}.`,
  topicsDone: 'Done',
  topicsNeedTwo: 'Pick at least two topics',
  topicsSaved: (titles: string) => `Topics saved: ${titles}.`,
  tzPrompt: 'Your time zone? Pick one, or send a name (Europe/Berlin) or an offset (UTC+3).',
  tzInvalid: 'I did not recognise that time zone. Example: Europe/London or UTC+1.',
  tzSaved: (tz: string) => `Time zone: ${tz}.`,
  ready: 'Your profile is ready! Press "Find a partner" or send /find.',
  findButton: 'Find a partner',
  incomplete: 'Add at least 2 topics to your profile: /profile',
  rulesFirst: 'Please accept the rules first: /start',
  searching: 'Looking for a partner… this can take up to a minute.',
  alreadySearching: 'I am already looking for a partner for you. To stop: /cancel.',
  busyProposal: 'You have an open proposal: accept or skip it first.',
  busyChat: 'You are in a chat. To start a new search, end it first: /end.',
  suspended:
    'Matching is suspended for you after reports. If this is a mistake, send /appeal and a few words about it.',
  queueUnavailable: 'I cannot start a search right now. Please try again in a minute.',
  cancelled: 'Search stopped. To resume: /find.',
  nothingToCancel: 'There is no search to stop. To start one: /find.',
  /** `help`: who can help the other with a shared topic (see canHelp), on a line of its own. */
  proposal: (name: string, topics: string, hours: string, help = '') =>
    `${card(name, topics, hours)}${help ? `\n${help}` : ''}\nStart a conversation?`,
  proposalClosedCard: (name: string, topics: string, hours: string, outcome: string) =>
    `${card(name, topics, hours)}\n\n${outcome}`,
  noSharedHours: 'barely overlap',
  accept: '✅ Accept',
  decline: '➖ Skip',
  waitingForOther: 'You accepted. Waiting for the other person…',
  matched: 'It is a match! The chat is open.',
  skipped: 'OK, skipping. I keep looking.',
  proposalExpired: 'This proposal has expired.',
  partnerSkipped: 'The other person skipped. It is not about you. I keep looking.',
  previousSkipped: 'The previous person skipped (it is not about you). Here is someone new.',
  proposalClosed: 'This proposal is already closed.',
  notYours: 'This proposal is not yours.',
  expiredRequeued:
    'This proposal has expired: the other person did not answer in time. I keep looking; you keep your place.',
  expiredNoAnswer:
    'This proposal has expired: you did not answer, so I stopped the search. To resume: /find.',
  expiredLimit:
    'This proposal has expired. Several proposals in a row went unanswered, so the search ended. To start again: /find.',
  searchExpired: (minutes: number) =>
    `Nobody matched within ${minutes} minutes, so the search stopped. Try again: /find.`,
  intro: (name: string, topics: string) =>
    `The chat is open! You are talking to ${name}.\nShared topics: ${topics}.\nWrite here and I will pass your messages on. To end: /end.`,
  chatOpen: (intro: string, rules: string) => `${intro}\n\n${rules}`,
  endButton: 'End chat',
  chatEndedByYou: 'You ended the chat.',
  chatEndedByPartner: 'The other person ended the chat.',
  chatEndedIdle: 'The chat ended after a long silence.',
  chatEndedSafety: 'The chat has ended.',
  notInChat: 'You are not in a chat. To find someone: /find.',
  relayFailed: 'This message could not be delivered.',
  feedbackPrompt: 'Was this conversation helpful? Rate it from 1 to 5.',
  chatEndedRate: (ended: string, prompt: string) => `${ended}\n${prompt}`,
  feedbackThanks: 'Thank you for the rating!',
  feedbackClosed: 'Your rating is already saved.',
  blockDone: 'Blocked: you will not be matched again.',
  blockNothing: 'There is nobody to block: you had no recent chats.',
  reportPrompt: 'Describe what happened in one message (or send /report reason).',
  reportDone: 'Report received. The chat has ended and the person is blocked.',
  reportNothing: 'There is nobody to report: you had no recent chats.',
  deleteConfirm:
    'Delete your profile and all your data? An open chat or proposal will end. This cannot be undone.',
  deleteYes: 'Yes, delete',
  deleteNo: 'Cancel',
  deleteDone: 'Done: your data has been deleted. To come back, send /start.',
  deleteCancelled: 'Deletion cancelled.',
  rateLimited: 'Too fast. Please wait a moment and try again.',
  profile: (topics: string, tz: string, rating: string, lang: string) =>
    `Your profile\nTopics: ${topics}\nTime zone: ${tz}\nRating: ${rating}\nLanguage: ${lang}`,
  noRating: 'no ratings yet',
  editTopics: 'Edit topics',
  editTz: 'Time zone',
  editLanguage: 'Language / Язык',
  languageSaved: 'Language: English.',
  help: [
    'Commands:',
    '/find: find a partner',
    '/cancel: stop searching',
    '/end: end the chat',
    '/profile: profile and topics; for each topic, whether you can help or want to learn',
    '/block: block your last partner',
    '/report: report your partner',
    '/lang: language',
    '/delete: delete my data',
    '/contact: exchange contacts with your partner (only if you both agree)',
    '/again: chat again with someone who would too',
    '/pause: take a break from matching for a day, three days or a week',
    '/resume: end the break early',
    '/appeal: appeal a suspension (once)',
  ].join('\n'),
  error: 'Something went wrong. Please try again.',
  commands: {
    find: 'Find a partner',
    cancel: 'Stop searching',
    end: 'End the chat',
    profile: 'Profile, topics: can help / want to learn',
    block: 'Block your partner',
    report: 'Report your partner',
    lang: 'Language',
    delete: 'Delete my data',
    again: 'Chat again',
    help: 'Help',
    contact: 'Exchange contacts',
    pause: 'Take a break',
    resume: 'End the break',
    appeal: 'Appeal a suspension',
  },
  contactButton: '🤝 Exchange contacts',
  contactWithdrawButton: 'Withdraw',
  contactRequested:
    'Done: your partner will learn that you would like to exchange contacts. Nothing is revealed unless they agree too; until then you can withdraw.',
  contactAlready:
    'You have already asked to exchange contacts. Waiting for your partner; until they answer you can withdraw.',
  contactPartnerAsks:
    'Your partner would like to exchange contacts. If you would like that too, press the button; otherwise nothing is revealed.',
  contactPartnerWithdrew: 'Your partner withdrew the request to exchange contacts.',
  contactWithdrawn: 'Request withdrawn: nothing was revealed.',
  contactTooLate: 'Too late: your partner has already agreed and the contacts were sent.',
  contactNothingToWithdraw: 'There is no request to withdraw.',
  contactRevealedLead: 'Contacts exchanged! Write directly to ',
  contactRevealedNote:
    '.\nThe bot does not relay or see what you write to each other directly: it cannot help there, and /report will not show it.',
  contactNone: 'There is nobody to exchange contacts with: you had no recent chats.',
  contactClosed: (hours: number) =>
    `Contacts can be exchanged during a chat or within ${hours} h after it, and not after a block or a report.`,
  contactLimit: 'You have withdrawn this request several times; it cannot be made again.',
  againButton: (name: string) => `🔁 I'd chat again with ${name}`,
  againWishNoted: (name: string) =>
    `Noted. If ${name} says so too, you can invite each other again: /again.`,
  againWishSaved: (name: string) => `${name} would chat again too! Invite them any time: /again.`,
  againSaved: (name: string) => `${name} would chat with you again too: saved. To invite: /again.`,
  againNone:
    'Nobody here yet. After a chat, press "I\'d chat again"; when your partner does too, they appear here.',
  againList: 'People you would both chat with again. Invite one, or remove them:',
  againInviteButton: (name: string) => `Invite ${name}`,
  againRemoveButton: 'Remove',
  againRemoved: 'Removed from your list.',
  againNotSaved: 'This person is no longer in your list: /again.',
  againSent: 'Invitation sent.',
  againHeld: (name: string, time: string) =>
    `It is night for ${name}. I will send your invitation when their day starts (${time} your time), if you are both free then.`,
  againAlreadyHeld: (name: string) => `Your invitation to ${name} already waits for their morning.`,
  againBusy: 'First finish your chat, proposal or search (/end, /cancel).',
  againRefused: 'You cannot invite anyone now: check your profile (/profile).',
  againPartnerBusy: (name: string) => `${name} is busy right now. Try again later.`,
  againInvitation: (name: string, topics: string) =>
    `${name} would like to talk with you again.\nShared topics: ${topics}.\nStart a conversation?`,
  againInviterCard: (name: string) =>
    `I invited ${name} to chat again and will tell you their answer.`,
  againWithdraw: 'Withdraw the invitation',
  againClosedCard: (card: string, outcome: string) => `${card}\n\n${outcome}`,
  againDeclined: (name: string) => `${name} cannot talk now. Maybe another time: /again.`,
  againWithdrawn: 'The invitation was withdrawn.',
  againExpiredInviter: (name: string) =>
    `${name} did not answer in time. You can invite them again later: /again.`,
  againExpired: 'This invitation has expired.',
  againSkipped: 'OK, I will tell them you cannot talk now.',
  againNoTopics: 'none yet',
  pausePrompt:
    'Take a break? While it lasts, I do not look for partners for you and do not propose you to anyone. For how long?',
  pausedPrompt: (until: string) =>
    `You are on a break until ${until}. You can pick another length or come back now.`,
  pauseOneDay: '1 day',
  pauseThreeDays: '3 days',
  pauseOneWeek: '1 week',
  resumeButton: 'Come back now',
  pauseDone: (until: string) =>
    `On a break until ${until}. No searches and no proposals until then; I will write when it ends. To come back earlier: /resume.`,
  pauseStoppedSearch: 'Your current search has stopped.',
  pausedFind: (until: string) =>
    `You are on a break until ${until}, so I am not looking for a partner. To come back now: /resume.`,
  resumed: 'Your break is over. To find a partner: /find.',
  notPaused: 'You are not on a break. To take one: /pause.',
  pauseEnded: 'Your break is over: I can find you a partner again. /find',
  suspensionLifted: 'Your suspension has been lifted: you can search again with /find.',
  appealKept: 'The operators have read your appeal: the suspension stays.',
  appealPrompt:
    'Send /appeal followed by a few words on why the suspension is a mistake, in one message. You can appeal once.',
  appealSent: 'Your appeal has been sent to the operators. They will answer here.',
  appealAlready: 'You have already appealed this suspension; the operators will answer here.',
  appealNotSuspended: 'Matching is not suspended for you: there is nothing to appeal.',
  adminOnly: 'This command is for operators.',
  modSuspend: 'Suspend',
  modLift: 'Lift suspension',
  modDismiss: 'Dismiss report',
  modKeep: 'Keep suspension',
  modDone: 'Done.',
  modGone: 'This report or appeal no longer exists.',
  modStatus: { open: 'open', upheld: 'upheld', dismissed: 'dismissed', cleared: 'cleared' },
  modReport: (card: {
    id: number;
    reason: string;
    reported: number;
    against: number;
    suspended: boolean;
    reporter: string;
    filed: number;
    dismissed: number;
    status: string;
  }) =>
    [
      `Report #${card.id}`,
      `Reason: ${card.reason}`,
      `Reported: user ${card.reported}, reports in 30 days: ${card.against}${card.suspended ? ', suspended' : ''}`,
      `Reporter: ${card.reporter}, reports filed: ${card.filed}, dismissed: ${card.dismissed}`,
      `Status: ${card.status}`,
    ].join('\n'),
  modAppeal: (card: { id: number; user: number; reports: number; text: string; status: string }) =>
    [
      `Appeal #${card.id} from user ${card.user} (reports standing: ${card.reports})`,
      `“${card.text}”`,
      `Status: ${card.status}`,
    ].join('\n'),
  modUser: (id: number | null) => (id === null ? 'a deleted user' : `user ${id}`),
  modAppealStatus: (outcome: 'lifted' | 'kept' | null, suspended: boolean) =>
    outcome === 'lifted'
      ? 'lifted'
      : outcome === 'kept'
        ? 'kept'
        : suspended
          ? 'waiting'
          : 'not suspended any more',
  stats: (day: string, week: string, people: number) =>
    `Figures\nPeople: ${people}\n\nLast 24 hours:\n${day}\n\nLast 7 days:\n${week}`,
  statsWindow: (f: {
    newPeople: number;
    searches: number;
    proposals: number;
    acceptRate: string;
    chats: number;
  }) =>
    `New people: ${f.newPeople}\nSearches: ${f.searches}\nProposals: ${f.proposals}\nAccept rate: ${f.acceptRate}\nChats: ${f.chats}`,
  helpAdmin: 'For operators:\n/stats: people, searches, proposals, accept rate and chats',
  adminCommands: { stats: 'Figures for operators' },
  editRoles: 'Can help / want to learn',
  rolesPrompt:
    'Mark your topics: 🤝 I can help with this, 🎓 I want to learn. A press on a topic switches it: none → 🤝 → 🎓 → none. I will rather match someone who can help with someone who wants to learn.',
  rolesDone: 'Done',
  rolesSaved: (help: string, learn: string) =>
    `I can help with: ${help || '—'}\nI want to learn: ${learn || '—'}`,
  canHelp: (name: string, topics: string) => `${name} can help with ${topics}.`,
  wantsToLearn: (name: string, topics: string) => `${name} wants to learn ${topics}.`,
  againPaused: 'You are on a break (/pause), so nobody can be invited. Send /resume first.',
  editHours: 'Waking hours',
  hoursPrompt: (hours: string) =>
    `Your waking hours: ${hours} (your time). Outside them I propose nobody to you and send you nothing, unless it answers something you just did. Choose:`,
  hoursDefault: 'As the service (default)',
  hoursSaved: (hours: string) => `Waking hours: ${hours}, your time.`,
  standingButton: 'Keep looking and notify me',
  standingStopButton: 'Stop looking',
  standingStarted: (hours: number) =>
    `I keep looking for up to ${hours} h and will notify you when I find someone. I propose nobody to you during your night, and a proposal waits longer for your answer. To stop: /cancel.`,
  standingEnded: (hours: number) =>
    `I kept looking for ${hours} h and found nobody, so I stopped. To search again: /find.`,
  standingStopped: 'Stopped: I am not looking for you any more.',
  standingSlowPartner:
    'This person asked me to keep looking while they are away from the chat, so their answer may take a while.',
};
