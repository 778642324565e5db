import { defineStep } from './step-module.js';

/**
 * The welcome email to the school's admin (a restore's welcome back, when asked for); not critical, and a
 * sent email cannot be unsent.
 */
export const sendWelcomeEmail = defineStep({
  name: 'send_welcome_email',
  needs: ['mailer'],
  run: async ({ ports, state, run }) => {
    const { details, subdomain } = state;
    const to = details.adminEmail;
    const loginUrl = `https://${subdomain}/`;
    const sent = await ports.mailer.sendWelcome({
      schoolId: state.id,
      schoolName: details.name,
      slug: details.slug,
      to,
      loginUrl,
      ...(state.restore ? { welcomeBack: { requestedAt: state.restore.requestedAt } } : {}),
    });
    return { type: 'WelcomeEmailSent', data: { ...run(), provider: ports.mailer.name, to, messageId: sent.messageId } };
  },
});
