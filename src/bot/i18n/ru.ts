/**
 * Russian texts, the default. Wording of the sprint document where it gives one.
 * Plain text only (no parse_mode), so a user's name can never break the markup.
 */
const card = (name: string, topics: string, hours: string) =>
  `Нашёлся собеседник: ${name}.\nОбщие темы: ${topics}.\nОбщее время бодрствования: ${hours}.`;

export const ru = {
  language: 'Русский',
  welcome: (name: string) =>
    `Привет, ${name}! Я tete — помогаю найти собеседника по интересам для разговора один на один.`,
  rules: [
    'Правила tete:',
    '1. Уважайте собеседника: без оскорблений, угроз и травли.',
    '2. Без спама и рекламы.',
    '3. Не просите личные данные: телефон, адрес, фото документов, деньги.',
    '4. Закончить разговор можно в любой момент командой /end.',
    '5. Если что-то не так — /report с причиной: чат закончится, собеседник будет заблокирован.',
  ].join('\n'),
  rulesAccept: 'Согласен(на)',
  rulesAccepted: 'Спасибо! Теперь выберите темы — минимум две.',
  topicsPrompt: (count: number) => `Выберите темы, о которых хотите говорить. Выбрано: ${count}.`,
  topicsDone: 'Готово',
  topicsNeedTwo: 'Выберите хотя бы две темы',
  topicsSaved: (titles: string) => `Темы сохранены: ${titles}.`,
  tzPrompt:
    'Ваш часовой пояс? Выберите из списка или отправьте название (Europe/Berlin) или смещение (UTC+3).',
  tzInvalid: 'Не понял часовой пояс. Пример: Europe/Moscow или UTC+3.',
  tzSaved: (tz: string) => `Часовой пояс: ${tz}.`,
  ready: 'Профиль готов! Нажмите «Найти собеседника» или /find.',
  findButton: 'Найти собеседника',
  incomplete: 'Добавьте минимум 2 темы в профиле: /profile',
  rulesFirst: 'Сначала примите правила: /start',
  searching: 'Ищу вам собеседника… Это может занять до минуты.',
  alreadySearching: 'Я уже ищу вам собеседника. Отменить — /cancel.',
  busyProposal: 'У вас есть открытое предложение — примите или пропустите его.',
  busyChat: 'Вы сейчас в чате. Чтобы начать новый поиск, закончите его: /end.',
  suspended:
    'Поиск для вас приостановлен из-за жалоб. Если это ошибка, отправьте /appeal и пару слов о том, что случилось.',
  queueUnavailable: 'Сейчас не получается начать поиск. Попробуйте через минуту.',
  cancelled: 'Поиск остановлен. Возобновить — /find.',
  nothingToCancel: 'Поиск и так не идёт. Начать — /find.',
  /** `help`: who can help the other with a shared topic (see canHelp), on a line of its own. */
  proposal: (name: string, topics: string, hours: string, help = '') =>
    `${card(name, topics, hours)}${help ? `\n${help}` : ''}\nНачать разговор?`,
  /** The proposal once decided without a chat: what it was, then what happened. */
  proposalClosedCard: (name: string, topics: string, hours: string, outcome: string) =>
    `${card(name, topics, hours)}\n\n${outcome}`,
  noSharedHours: 'почти не совпадает',
  accept: '✅ Принять',
  decline: '➖ Пропустить',
  waitingForOther: 'Вы согласились. Ждём ответа собеседника…',
  matched: 'Совпадение! Чат открыт.',
  skipped: 'Ок, пропускаем. Продолжаю поиск.',
  proposalExpired: 'Предложение истекло.',
  partnerSkipped: 'Собеседник пропустил предложение — это не про вас. Продолжаю поиск.',
  previousSkipped: 'Предыдущий собеседник пропустил предложение — это не про вас. Вот новое.',
  proposalClosed: 'Это предложение уже закрыто.',
  notYours: 'Это предложение не для вас.',
  expiredRequeued:
    'Предложение истекло: собеседник не ответил вовремя. Ищу дальше — ваше место в очереди сохранено.',
  expiredNoAnswer:
    'Предложение истекло: вы не ответили, поэтому я остановил поиск. Возобновить — /find.',
  expiredLimit:
    'Предложение истекло. Несколько предложений подряд остались без ответа, поиск завершён. Начать заново — /find.',
  searchExpired: (minutes: number) =>
    `За ${minutes} мин собеседник не нашёлся, поиск остановлен. Попробуйте ещё раз — /find.`,
  intro: (name: string, topics: string) =>
    `Чат открыт! Ваш собеседник — ${name}.\nОбщие темы: ${topics}.\nПишите — я передам сообщения. Закончить — /end.`,
  /** The chat's opening message: who the partner is, and the rules, in one message. */
  chatOpen: (intro: string, rules: string) => `${intro}\n\n${rules}`,
  endButton: 'Закончить чат',
  chatEndedByYou: 'Вы закончили чат.',
  chatEndedByPartner: 'Собеседник закончил чат.',
  chatEndedIdle: 'Чат закончился: долго не было сообщений.',
  chatEndedSafety: 'Чат закончен.',
  notInChat: 'Вы сейчас не в чате. Найти собеседника — /find.',
  relayFailed: 'Это сообщение не удалось переслать.',
  feedbackPrompt: 'Был ли разговор полезен? Оцените от 1 до 5.',
  /** The end of a chat and the request for a rating, in one message. */
  chatEndedRate: (ended: string, prompt: string) => `${ended}\n${prompt}`,
  feedbackThanks: 'Спасибо за оценку!',
  feedbackClosed: 'Оценка уже сохранена.',
  blockDone: 'Собеседник заблокирован: вы больше не встретитесь.',
  blockNothing: 'Некого блокировать: у вас не было недавних чатов.',
  reportPrompt: 'Опишите, что случилось, одним сообщением (или /report причина).',
  reportDone: 'Жалоба принята. Чат закончен, собеседник заблокирован.',
  reportNothing: 'Жаловаться не на кого: у вас не было недавних чатов.',
  deleteConfirm:
    'Удалить ваш профиль и все данные? Открытый чат или предложение закончатся. Это необратимо.',
  deleteYes: 'Да, удалить',
  deleteNo: 'Отмена',
  deleteDone: 'Готово: ваши данные удалены. Чтобы вернуться, отправьте /start.',
  deleteCancelled: 'Удаление отменено.',
  rateLimited: 'Слишком часто. Подождите немного и попробуйте снова.',
  profile: (topics: string, tz: string, rating: string, lang: string) =>
    `Ваш профиль\nТемы: ${topics}\nЧасовой пояс: ${tz}\nРейтинг: ${rating}\nЯзык: ${lang}`,
  noRating: 'пока нет оценок',
  editTopics: 'Изменить темы',
  editTz: 'Часовой пояс',
  editLanguage: 'Language / Язык',
  languageSaved: 'Язык: русский.',
  help: [
    'Команды:',
    '/find — найти собеседника',
    '/cancel — остановить поиск',
    '/end — закончить чат',
    '/profile — профиль и темы; по каждой теме: могу помочь или хочу научиться',
    '/block — заблокировать последнего собеседника',
    '/report — пожаловаться на собеседника',
    '/lang — язык',
    '/delete — удалить мои данные',
    '/contact — обменяться контактами с собеседником (только если согласны оба)',
    '/again — пообщаться снова с тем, кто тоже этого хочет',
    '/pause — пауза: не искать и не предлагать собеседников день, три дня или неделю',
    '/resume — закончить паузу раньше',
    '/appeal — обжаловать ограничение поиска (один раз)',
  ].join('\n'),
  error: 'Что-то пошло не так. Попробуйте ещё раз.',
  commands: {
    find: 'Найти собеседника',
    cancel: 'Остановить поиск',
    end: 'Закончить чат',
    profile: 'Профиль, темы: помогу / хочу научиться',
    block: 'Заблокировать собеседника',
    report: 'Пожаловаться',
    lang: 'Язык',
    delete: 'Удалить мои данные',
    again: 'Пообщаться снова',
    help: 'Помощь',
    contact: 'Обменяться контактами',
    pause: 'Пауза',
    resume: 'Закончить паузу',
    appeal: 'Обжаловать ограничение',
  },
  contactButton: '🤝 Обменяться контактами',
  contactWithdrawButton: 'Отозвать',
  contactRequested:
    'Готово: собеседник узнает, что вы хотите обменяться контактами. Контакты откроются, только если он тоже согласится; до тех пор запрос можно отозвать.',
  contactAlready:
    'Вы уже предложили обмен контактами. Ждём собеседника; до его ответа запрос можно отозвать.',
  contactPartnerAsks:
    'Собеседник хотел бы обменяться контактами. Если вы тоже хотите, нажмите кнопку; иначе ничего не откроется.',
  contactPartnerWithdrew: 'Собеседник отозвал предложение обменяться контактами.',
  contactWithdrawn: 'Запрос отозван: никаких контактов не открыто.',
  contactTooLate: 'Поздно: собеседник уже согласился, контакты отправлены.',
  contactNothingToWithdraw: 'Отзывать нечего: запроса на обмен контактами нет.',
  contactRevealedLead: 'Контакты открыты! Пишите напрямую: ',
  contactRevealedNote:
    '.\nПереписку напрямую бот не передаёт и не видит: там он уже не поможет, и /report её не покажет.',
  contactNone: 'Обменяться контактами не с кем: у вас не было недавних чатов.',
  contactClosed: (hours: number) =>
    `Обменяться контактами можно во время чата или в течение ${hours} ч после него, и не после блокировки или жалобы.`,
  contactLimit: 'Вы уже несколько раз отзывали этот запрос, повторить его нельзя.',
  againButton: (name: string) => `🔁 Я бы пообщался(ась) с ${name} ещё`,
  againWishNoted: (name: string) =>
    `Записал. Если ${name} скажет то же, вы сможете позвать друг друга снова: /again.`,
  againWishSaved: (name: string) =>
    `${name} тоже хочет пообщаться ещё! Позвать в любой момент: /again.`,
  againSaved: (name: string) =>
    `${name} тоже хочет пообщаться с вами ещё — сохранил. Позвать: /again.`,
  againNone:
    'Пока никого нет. После чата нажмите «Я бы пообщался(ась) ещё»; если собеседник нажмёт тоже, он появится здесь.',
  againList: 'С кем вы оба хотели бы пообщаться ещё. Позовите или уберите из списка:',
  againInviteButton: (name: string) => `Позвать: ${name}`,
  againRemoveButton: 'Убрать',
  againRemoved: 'Убрал из списка.',
  againNotSaved: 'Этого человека больше нет в вашем списке: /again.',
  againSent: 'Приглашение отправлено.',
  againHeld: (name: string, time: string) =>
    `У ${name} сейчас ночь. Отправлю приглашение, когда у него(неё) начнётся день (в ${time} по вашему времени), если вы оба будете свободны.`,
  againAlreadyHeld: (name: string) => `Приглашение для ${name} уже ждёт утра.`,
  againBusy: 'Сначала закончите текущий чат, предложение или поиск (/end, /cancel).',
  againRefused: 'Сейчас вы не можете никого позвать: проверьте профиль (/profile).',
  againPartnerBusy: (name: string) => `${name} сейчас занят(а). Попробуйте позже.`,
  againInvitation: (name: string, topics: string) =>
    `${name} хочет пообщаться с вами снова.\nОбщие темы: ${topics}.\nНачать разговор?`,
  againInviterCard: (name: string) => `Я позвал(а) ${name} пообщаться снова и сообщу ответ.`,
  againWithdraw: 'Отозвать приглашение',
  againClosedCard: (card: string, outcome: string) => `${card}\n\n${outcome}`,
  againDeclined: (name: string) => `${name} сейчас не может. Может быть, в другой раз: /again.`,
  againWithdrawn: 'Приглашение отозвано.',
  againExpiredInviter: (name: string) =>
    `${name} не ответил(а) вовремя. Позвать снова можно позже: /again.`,
  againExpired: 'Приглашение истекло.',
  againSkipped: 'Хорошо, я передам, что сейчас вы не можете.',
  againNoTopics: 'пока нет',
  pausePrompt:
    'Взять паузу? Пока она идёт, я не ищу вам собеседников и никому вас не предлагаю. На сколько?',
  pausedPrompt: (until: string) =>
    `Вы на паузе до ${until}. Можно выбрать другой срок или вернуться сейчас.`,
  pauseOneDay: '1 день',
  pauseThreeDays: '3 дня',
  pauseOneWeek: '1 неделя',
  resumeButton: 'Вернуться сейчас',
  pauseDone: (until: string) =>
    `Пауза до ${until}. До тех пор никаких поисков и предложений; потом я напишу. Вернуться раньше — /resume.`,
  pauseStoppedSearch: 'Текущий поиск остановлен.',
  pausedFind: (until: string) =>
    `Вы на паузе до ${until}, поэтому я не ищу собеседника. Вернуться сейчас — /resume.`,
  resumed: 'Пауза закончена. Найти собеседника — /find.',
  notPaused: 'Вы не на паузе. Взять паузу — /pause.',
  pauseEnded: 'Пауза закончилась: я снова могу найти вам собеседника — /find.',
  suspensionLifted: 'Ограничение снято: снова можно искать собеседника — /find.',
  appealKept: 'Модераторы рассмотрели вашу апелляцию: ограничение остаётся.',
  appealPrompt:
    'Отправьте /appeal и в том же сообщении несколько слов о том, почему ограничение — ошибка. Апелляция одна.',
  appealSent: 'Апелляция отправлена модераторам. Ответ придёт сюда.',
  appealAlready: 'Вы уже подали апелляцию на это ограничение; модераторы ответят сюда.',
  appealNotSuspended: 'Поиск для вас не ограничен: обжаловать нечего.',
  adminOnly: 'Эта команда только для модераторов.',
  modSuspend: 'Ограничить',
  modLift: 'Снять ограничение',
  modDismiss: 'Отклонить жалобу',
  modKeep: 'Оставить ограничение',
  modDone: 'Готово.',
  modGone: 'Этой жалобы или апелляции больше нет.',
  modStatus: {
    open: 'открыта',
    upheld: 'подтверждена',
    dismissed: 'отклонена',
    cleared: 'снята',
  } as Record<'open' | 'upheld' | 'dismissed' | 'cleared', string>,
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
      `Жалоба #${card.id}`,
      `Причина: ${card.reason}`,
      `На кого: пользователь ${card.reported}, жалоб за 30 дней: ${card.against}${card.suspended ? ', поиск ограничен' : ''}`,
      `От кого: ${card.reporter}, жалоб подано: ${card.filed}, отклонено: ${card.dismissed}`,
      `Статус: ${card.status}`,
    ].join('\n'),
  modAppeal: (card: { id: number; user: number; reports: number; text: string; status: string }) =>
    [
      `Апелляция #${card.id} от пользователя ${card.user} (жалоб в силе: ${card.reports})`,
      `«${card.text}»`,
      `Статус: ${card.status}`,
    ].join('\n'),
  modUser: (id: number | null) => (id === null ? 'удалённый пользователь' : `пользователь ${id}`),
  modAppealStatus: (outcome: 'lifted' | 'kept' | null, suspended: boolean): string =>
    outcome === 'lifted'
      ? 'ограничение снято'
      : outcome === 'kept'
        ? 'ограничение оставлено'
        : suspended
          ? 'ждёт решения'
          : 'ограничения уже нет',
  stats: (day: string, week: string, people: number) =>
    `Показатели\nЛюдей: ${people}\n\nЗа 24 часа:\n${day}\n\nЗа 7 дней:\n${week}`,
  statsWindow: (f: {
    newPeople: number;
    searches: number;
    proposals: number;
    acceptRate: string;
    chats: number;
  }) =>
    `Новых людей: ${f.newPeople}\nПоисков: ${f.searches}\nПредложений: ${f.proposals}\nПринято: ${f.acceptRate}\nЧатов: ${f.chats}`,
  helpAdmin: 'Для модераторов:\n/stats — люди, поиски, предложения, доля принятых и чаты',
  adminCommands: { stats: 'Показатели для модераторов' },
  editRoles: 'Помогу / хочу научиться',
  rolesPrompt:
    'Отметьте темы: 🤝 — могу помочь, 🎓 — хочу научиться. Нажатие на тему переключает: нет → 🤝 → 🎓 → нет. Я чаще сведу того, кто может помочь, с тем, кто хочет научиться.',
  rolesDone: 'Готово',
  rolesSaved: (help: string, learn: string) =>
    `Могу помочь: ${help || '—'}\nХочу научиться: ${learn || '—'}`,
  canHelp: (name: string, topics: string) => `${name} может помочь с темой: ${topics}.`,
  wantsToLearn: (name: string, topics: string) => `${name} хочет научиться: ${topics}.`,
  againPaused: 'У вас перерыв (/pause), поэтому позвать никого нельзя. Сначала отправьте /resume.',
  editHours: 'Часы бодрствования',
  hoursPrompt: (hours: string) =>
    `Ваши часы бодрствования: ${hours} (по вашему времени). В остальное время я никого вам не предлагаю и ничего не присылаю, кроме ответов на то, что вы только что сделали. Выберите:`,
  hoursDefault: 'Как у сервиса (по умолчанию)',
  hoursSaved: (hours: string) => `Часы бодрствования: ${hours} по вашему времени.`,
  standingButton: 'Искать дальше и сообщить мне',
  standingStopButton: 'Перестать искать',
  standingStarted: (hours: number) =>
    `Ищу дальше, до ${hours} ч, и сообщу, когда найду собеседника. Ночью по вашему времени никого не предлагаю, а на предложение у вас будет больше времени. Остановить: /cancel.`,
  standingEnded: (hours: number) =>
    `Я искал ${hours} ч и никого не нашёл, поэтому остановился. Искать снова: /find.`,
  standingStopped: 'Остановил: больше не ищу для вас собеседника.',
  standingSlowPartner:
    'Этот человек попросил искать, пока его нет в чате, поэтому ответ может занять время.',
};

export type Texts = typeof ru;
